using System.Text.Json.Nodes;

namespace Rapport.Tests.Hosting;

/// <summary>
/// The runtime settings the `rapport` executable ships with (src/Rapport/Rapport.csproj; why each one:
/// docs/performance.md "Session 6: loyalty" and "Session 6: outbox"). They live in the
/// runtimeconfig.json beside rapport.dll, which is what `dotnet rapport.dll` and the apphost read.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void RuntimeConfig_WorkstationGc_NoDynamicPgo_NoThreadPoolSpinning()
    {
        var exe = typeof(Rapport.Hosting.StoreFactory).Assembly.Location;
        var path = Path.ChangeExtension(exe, ".runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing: the executable's runtime settings are not shipped");

        var properties = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!.AsObject();

        Assert.False(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.False(properties["System.Runtime.TieredPGO"]!.GetValue<bool>());
        Assert.Equal(0, properties["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]!.GetValue<int>());
    }
}
