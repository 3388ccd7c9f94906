using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

public sealed class ClvMathTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void LogHyp2F1APlusOne_ClosedFormCase_Matches(double z)
    {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z.
        Digits.Close(Math.Log(-Math.Log(1 - z) / z), ClvMath.LogHyp2F1APlusOne(1, 1, z), 1e-13, $"z = {z}");
    }

    [Theory]
    [InlineData(3.2, 0.7, 0.3)]
    [InlineData(50.5, 1.6, 0.6)]
    [InlineData(42.5, 40.0, 0.2)]
    public void LogHyp2F1APlusOne_AgreesWithDirectSeries(double a, double b, double z)
    {
        Digits.Close(Math.Log(ClvMath.Hyp2F1(a, b, a + 1, z)), ClvMath.LogHyp2F1APlusOne(a, b, z), 1e-12, "ln 2F1");
    }

    [Fact]
    public void Hyp2F1_ReducesToPower_WhenBEqualsC()
    {
        // 2F1(a, b; b; z) = (1 - z)^-a.
        Digits.Close(Math.Pow(0.4, -1.7), ClvMath.Hyp2F1(1.7, 2.3, 2.3, 0.6), 1e-12, "2F1");
    }

    [Fact]
    public void Log1PAndExpM1_TinyArguments_KeepPrecision()
    {
        Assert.Equal(1e-17, ClvMath.Log1P(1e-17));
        Assert.Equal(1e-17, ClvMath.ExpM1(1e-17));
        Digits.Close(Math.Log(1.5), ClvMath.Log1P(0.5), 1e-16, "log1p");
        Assert.Equal(double.NegativeInfinity, ClvMath.LogDiffExp(2, 2));
    }
}
