using System.Globalization;
using System.IO.Compression;
using Rapport.Engine.Clv;

namespace Rapport.Benchmarks.Clv;

/// <summary>The transaction logs the CLV benchmarks fit on.</summary>
public static class ClvDatasets
{
    public static readonly DateOnly CalibrationEnd = new(1997, 9, 30);

    /// <summary>CDNOW master: 23,570 customers, 69,659 purchase lines, Jan 1997 to Jun 1998.</summary>
    public static Transaction[] CdnowMaster()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "data", "CDNOW_master.txt.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        reader.ReadLine(); // header: customer_id date number_of_cds dollar_value
        var result = new List<Transaction>(70_000);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            result.Add(new Transaction(
                f[0],
                DateOnly.ParseExact(f[1], "yyyyMMdd", CultureInfo.InvariantCulture),
                decimal.Parse(f[3], CultureInfo.InvariantCulture)));
        }

        return [.. result];
    }

    /// <summary>
    /// Customers drawn from the BG/NBD + Gamma-Gamma process at the CDNOW estimates, first purchases
    /// spread over 12 weeks like the CDNOW cohort, observed for 39 weeks; fixed seed.
    /// </summary>
    public static Transaction[] Synthetic(int customers) =>
        [.. BgNbdSimulator.Simulate(
            new BgNbdModel(0.243, 4.414, 0.793, 2.426),
            new GammaGammaModel(6.25, 3.74, 15.44),
            customers,
            new DateOnly(1997, 1, 1),
            84,
            CalibrationEnd,
            new Random(20_050_101))];
}
