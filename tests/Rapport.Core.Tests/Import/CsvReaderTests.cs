using Rapport.Core.Import;

namespace Rapport.Core.Tests.Import;

public class CsvReaderTests
{
    private static List<CsvRecord> ReadAll(string text, char delimiter = ',')
    {
        var reader = new CsvReader(new StringReader(text), delimiter);
        var records = new List<CsvRecord>();
        while (reader.TryRead(out var record))
        {
            records.Add(record);
        }

        return records;
    }

    [Fact]
    public void TryRead_QuotedFieldsWithDelimitersQuotesAndNewlines_SplitsAndCountsPhysicalLines()
    {
        var records = ReadAll("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n3,p,q\n");

        Assert.Equal(4, records.Count);
        Assert.Equal(["1", "x, y", "say \"hi\""], records[1].Fields);
        Assert.Equal(["2", "two\nlines", "z"], records[2].Fields);
        Assert.Equal([1L, 2, 3, 5], records.Select(r => r.Line));
    }

    [Fact]
    public void TryRead_CrLfAndBlankLinesAndNoFinalNewline_SkipsBlankLinesKeepsLineNumbers()
    {
        var records = ReadAll("a;b\r\n\r\n1;2\r\n;\r\n3;4", ';');

        Assert.Equal([["a", "b"], ["1", "2"], ["", ""], ["3", "4"]], records.Select(r => r.Fields));
        Assert.Equal([1L, 3, 4, 5], records.Select(r => r.Line));
        Assert.All(records, r => Assert.Null(r.Error));
    }

    [Fact]
    public void TryRead_FieldsLongerThanTheBuffer_AreJoinedAcrossRefills()
    {
        var longValue = new string('x', 200_000);
        var records = ReadAll($"a,b\n{longValue},\"{longValue}\"\n1,2\n");

        Assert.Equal(longValue, records[1].Fields[0]);
        Assert.Equal(longValue, records[1].Fields[1]);
        Assert.Equal(["1", "2"], records[2].Fields);
    }

    [Fact]
    public void TryRead_UnterminatedQuote_ReportsError()
    {
        var records = ReadAll("a,b\n1,\"open\n2,3\n");

        Assert.Equal("unterminated quoted field", records[1].Error);
    }

    [Fact]
    public void Format_FieldsNeedingQuotes_RoundTrips()
    {
        string[] fields = ["plain", "a,b", "say \"hi\"", "two\nlines", ""];
        var text = CsvReader.Format(fields, ',');

        Assert.Equal(fields, ReadAll(text + "\n")[0].Fields);
    }
}
