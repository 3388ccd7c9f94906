using System.CommandLine;
using System.Globalization;
using Rapport.Engine.Clv;

namespace Rapport.Cli;

/// <summary>
/// `rapport clv fit|score`: the CLV models run offline on a transaction file, for analysts and for
/// checking a model before it feeds decisions. All the maths is in Rapport.Engine.Clv.
/// </summary>
internal static class ClvCommands
{
    public static Command Create()
    {
        var clv = new Command("clv", "Predicted customer lifetime value from a transaction file (BG/NBD or Pareto/NBD with Gamma-Gamma spend)");
        clv.Subcommands.Add(Fit());
        clv.Subcommands.Add(Score());
        return clv;
    }

    private static Command Fit()
    {
        var input = new InputOptions();
        var holdoutEnd = new Option<string?>("--holdout-end")
        {
            Description = "Last day of the holdout period (yyyy-MM-dd); prints predicted against actual repeat purchases",
        };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = new Command("fit", "Fit the purchase and spend models and show how well they predict");
        input.AddTo(command);
        command.Options.Add(holdoutEnd);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            var calibrationEnd = input.CalibrationEnd(parse);
            DateOnly? holdout = parse.GetValue(holdoutEnd) is { } h ? ParseDay(h, "--holdout-end") : null;
            if (holdout <= calibrationEnd)
            {
                throw new UsageException($"--holdout-end {holdout:yyyy-MM-dd} must be after --calibration-end {calibrationEnd:yyyy-MM-dd}.");
            }

            var (transactions, customers) = input.Load(parse, calibrationEnd, holdout);
            var (model, fit, spend) = FitModels(input.ModelName(parse), customers);
            HoldoutComparison? comparison = holdout is { } end
                ? HoldoutComparison.Compute(model, customers, CustomerSummaries.HoldoutWeeks(calibrationEnd, end))
                : null;
            var report = new ClvFitReport(model, fit, spend, customers, calibrationEnd, holdout, comparison);
            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(parse.GetValue(json) ? report.ToJson() : report.ToText());
            var last = transactions.Max(t => t.Date);
            if (holdout > last)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"note: the last transaction is on {last:yyyy-MM-dd}, before --holdout-end {holdout:yyyy-MM-dd}; actual holdout purchases stop there.");
            }

            return 0;
        });
        return command;
    }

    private static Command Score()
    {
        var input = new InputOptions();
        var horizon = new Option<int>("--horizon-weeks") { Description = "Weeks after the calibration end to value", Required = true };
        var rate = new Option<double>("--discount-rate")
        {
            Description = "Annual discount rate, e.g. 0.1 for 10 % a year; each week's purchases are discounted by (1+R)^(-week/52.18)",
            Required = true,
        };
        var margin = new Option<double>("--margin") { Description = "Share of spend that is profit (0-1); 1 values revenue", DefaultValueFactory = _ => 1.0 };
        var outPath = new Option<string>("--out") { Description = "CSV to write: customer,expected_purchases,p_alive,expected_spend,clv", Required = true };
        var command = new Command("score", "Fit the models and write each customer's predicted purchases, P(alive), spend and CLV");
        input.AddTo(command);
        command.Options.Add(horizon);
        command.Options.Add(rate);
        command.Options.Add(margin);
        command.Options.Add(outPath);
        command.SetAction(async (parse, ct) =>
        {
            var options = new ClvOptions(parse.GetValue(horizon), parse.GetValue(rate), parse.GetValue(margin));
            ValidateValuation(options);
            var calibrationEnd = input.CalibrationEnd(parse);
            var (_, customers) = input.Load(parse, calibrationEnd, null);
            var (model, _, spend) = FitModels(input.ModelName(parse), customers);
            if (spend.Model.Q <= 1)
            {
                throw new UsageException(
                    $"The spend model has q = {spend.Model.Q:G4} <= 1 (no finite mean spend), so customers without repeat purchases cannot be valued; look for extreme amounts in --amount-column.");
            }

            var scores = CustomerLifetimeValue.Score(model, spend.Model, customers, options);
            string path = parse.GetValue(outPath)!;
            await WriteScoresAsync(path, scores, ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"Wrote {scores.Length} customers to {path} ({model.Name} + Gamma-Gamma, {options.HorizonWeeks} weeks, {options.AnnualDiscountRate:P1} a year, margin {options.Margin:G3}); total CLV {scores.Sum(s => s.Clv):F2}."));
            return 0;
        });
        return command;
    }

    private static (IRepeatPurchaseModel Model, double LogLikelihood, ModelFit<GammaGammaModel> Spend) FitModels(
        string modelName, CustomerSummary[] customers)
    {
        try
        {
            var data = RepeatPurchaseData.From(customers);
            if (modelName == "pareto-nbd")
            {
                var pareto = ParetoNbdFitter.Fit(data);
                return (pareto.Model, pareto.LogLikelihood, GammaGammaModel.Fit(customers));
            }

            var bgnbd = BgNbdModel.Fit(data);
            return (bgnbd.Model, bgnbd.LogLikelihood, GammaGammaModel.Fit(customers));
        }
        catch (ModelFitException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static void ValidateValuation(ClvOptions options)
    {
        if (options.HorizonWeeks < 1)
        {
            throw new UsageException($"--horizon-weeks {options.HorizonWeeks} must be at least 1, e.g. 52 for a year.");
        }

        if (!(options.AnnualDiscountRate is >= 0 and <= 1))
        {
            throw new UsageException(
                $"--discount-rate {options.AnnualDiscountRate} is outside 0-1; it is an annual rate as a fraction, e.g. 0.1 for 10 %.");
        }

        if (!(options.Margin is > 0 and <= 1))
        {
            throw new UsageException($"--margin {options.Margin} is outside (0, 1]; it is a fraction of spend, e.g. 0.3 for 30 %.");
        }
    }

    private static async Task WriteScoresAsync(string path, CustomerValue[] scores, CancellationToken ct)
    {
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("customer,expected_purchases,p_alive,expected_spend,clv");
        foreach (var s in scores)
        {
            ct.ThrowIfCancellationRequested();
            string id = s.CustomerId.Contains(',') || s.CustomerId.Contains('"')
                ? $"\"{s.CustomerId.Replace("\"", "\"\"")}\""
                : s.CustomerId;
            await writer.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture, $"{id},{s.ExpectedPurchases:F6},{s.ProbabilityAlive:F6},{s.ExpectedSpend:F4},{s.Clv:F4}"));
        }
    }

    internal static DateOnly ParseDay(string value, string option) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{option} '{value}' is not a date; write it as yyyy-MM-dd, e.g. 1997-09-30.");

    /// <summary>The options both commands share, created per command.</summary>
    private sealed class InputOptions
    {
        private readonly Option<string> _transactions = new("--transactions") { Description = "CSV (or whitespace-separated) file with a header row", Required = true };
        private readonly Option<string> _customer = new("--customer-column") { Description = "Header of the customer id column", Required = true };
        private readonly Option<string> _date = new("--date-column") { Description = "Header of the purchase date column", Required = true };
        private readonly Option<string> _amount = new("--amount-column") { Description = "Header of the amount column", Required = true };
        private readonly Option<string?> _dateFormat = new("--date-format") { Description = "Date format, e.g. dd/MM/yyyy (default: yyyy-MM-dd, yyyyMMdd, yyyy/MM/dd or ISO 8601)" };
        private readonly Option<string> _delimiter = new("--delimiter") { Description = "',', ';', '|', tab or whitespace", DefaultValueFactory = _ => "," };
        private readonly Option<string> _calibrationEnd = new("--calibration-end") { Description = "Last day of the calibration period (yyyy-MM-dd)", Required = true };
        private readonly Option<string> _model = CreateModelOption();

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _transactions, _customer, _date, _amount, _dateFormat, _delimiter, _calibrationEnd, _model })
            {
                command.Options.Add(o);
            }
        }

        public DateOnly CalibrationEnd(ParseResult parse) => ParseDay(parse.GetValue(_calibrationEnd)!, "--calibration-end");

        public string ModelName(ParseResult parse) => parse.GetValue(_model)!;

        public (List<Transaction> Transactions, CustomerSummary[] Customers) Load(
            ParseResult parse, DateOnly calibrationEnd, DateOnly? holdoutEnd)
        {
            string path = parse.GetValue(_transactions)!;
            if (!File.Exists(path))
            {
                throw new UsageException($"--transactions {path} does not exist.");
            }

            var file = new ClvTransactionFile(
                path, parse.GetValue(_customer)!, parse.GetValue(_date)!, parse.GetValue(_amount)!,
                parse.GetValue(_dateFormat), parse.GetValue(_delimiter)!);
            var transactions = file.Read();
            var customers = CustomerSummaries.Build(
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(transactions), calibrationEnd, holdoutEnd);
            if (customers.Length == 0)
            {
                throw new UsageException(
                    $"No customer bought on or before --calibration-end {calibrationEnd:yyyy-MM-dd}; the first transaction in {path} is on {transactions.Min(t => t.Date):yyyy-MM-dd}.");
            }

            return (transactions, customers);
        }

        private static Option<string> CreateModelOption()
        {
            var model = new Option<string>("--model") { Description = "Purchase model: bgnbd or pareto-nbd", DefaultValueFactory = _ => "bgnbd" };
            model.AcceptOnlyFromAmong("bgnbd", "pareto-nbd");
            return model;
        }
    }
}
