#!/usr/bin/env bash
# The whole test suite, as CI runs it (bash .ci/run, as root, CI=true, no stdin) and as a
# developer can: installs what the tests need when missing (only as root), runs every test
# project in Release, then prints one plain line "N passed, M failed" summed over all projects.
# Exits non-zero when anything failed, the build broke, or no test ran.
set -uo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- what the tests need from Debian: a real PostgreSQL, browser, SMTP server and npm -------
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing ${missing[*]} (apt-get)..."
    log=$(mktemp)
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } </dev/null >"$log" 2>&1; then
      # One unavailable package must not keep the others out: retry them one by one.
      for package in "${missing[@]}"; do
        if ! apt-get install -y -qq --no-install-recommends "$package" </dev/null >>"$log" 2>&1; then
          echo "WARNING: could not install $package; the tests that need it will fail. apt-get said:" >&2
          tail -n 5 "$log" >&2
        fi
      done
    fi
    rm -f "$log"
  else
    echo "NOTE: missing ${missing[*]}; the tests that need them will fail." >&2
    echo "      Install with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  fi
fi

# --- the tests ------------------------------------------------------------------------------
# trx files stay in TestResults/run for details; the count comes from the one summary line
# each test project prints ("Passed!  - Failed: 0, Passed: 70, Skipped: 0, ...").
results="TestResults/run"
rm -rf "$results"
mkdir -p "$results"
dotnet test Rapport.slnx -c Release \
  --logger "trx" \
  --results-directory "$results" \
  --blame-hang-timeout 15m \
  </dev/null 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}

# --- one line for CI, summed over all test projects ------------------------------------------
passed=0 failed=0 skipped=0 projects=0
while read -r f p s; do
  projects=$((projects + 1))
  failed=$((failed + f)) passed=$((passed + p)) skipped=$((skipped + s))
done < <(sed -nE 's/^[[:space:]]*(Passed|Failed)![[:space:]]+-[[:space:]]+Failed:[[:space:]]*([0-9]+),[[:space:]]*Passed:[[:space:]]*([0-9]+),[[:space:]]*Skipped:[[:space:]]*([0-9]+).*/\2 \3 \4/p' "$results/console.log")

if ((status != 0 && failed == 0)); then
  echo "dotnet test exited with $status (build error, crashed or hung test host): counted as a failure." >&2
  failed=$((failed + 1))
fi
if ((passed == 0 && failed == 0)); then
  echo "No test ran ($projects test projects reported)." >&2
fi

if ((skipped > 0)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi

((failed == 0 && passed > 0))
