using System.Diagnostics;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// The raw record of one open-loop run, one slot per request (Stopwatch timestamps): when it was
/// due, when it left, when its reply was read, the reply's status and the server's own time and
/// gen0 count from Server-Timing. Written by the client's threads without locks (each slot by
/// the one thread that owns the request at that moment); read by <see cref="LoadReport"/> after.
/// </summary>
internal sealed class LoadRun
{
    private int _finished;

    public LoadRun(IReadOnlyList<LoadRequest> requests, int count, int rate)
    {
        Requests = requests;
        Count = count;
        Rate = rate;
        Scheduled = new long[count];
        Sent = new long[count];
        Done = new long[count];
        Status = new short[count];
        ServerMs = new float[count];
        ServerGen0 = new int[count];
        ServerAllocated = new long[count];
        Gen0AtSend = new int[count];
        if (count == 0)
        {
            AllDone.Set();
        }
    }

    public IReadOnlyList<LoadRequest> Requests { get; }

    public int Count { get; }

    public int Rate { get; }

    public long Started { get; set; }

    public long[] Scheduled { get; }

    public long[] Sent { get; }

    /// <summary>0 while no reply; the reply's timestamp, or -1 when the request failed (connection lost).</summary>
    public long[] Done { get; }

    public short[] Status { get; }

    public float[] ServerMs { get; }

    public int[] ServerGen0 { get; }

    /// <summary>The server's allocated bytes since it started, when the reply's headers were written; -1 unknown.</summary>
    public long[] ServerAllocated { get; }

    /// <summary>The highest server gen0 count seen in any reply when this request left.</summary>
    public int[] Gen0AtSend { get; }

    /// <summary>The highest server gen0 count seen so far (read when a request is sent).</summary>
    public int LastGen0 = -1;

    public ManualResetEventSlim AllDone { get; } = new();

    public TimeSpan ClientCpu { get; private set; }

    public TimeSpan? ServerCpu { get; private set; }

    public (long Voluntary, long Involuntary)? ServerSwitches { get; private set; }

    public (int Gen0, int Gen1, int Gen2) ClientGcs { get; private set; }

    /// <summary>Seconds from the first scheduled send to the last reply.</summary>
    public double Elapsed { get; private set; }

    public void Complete(int index, long now, WireReply reply)
    {
        Status[index] = (short)reply.Status;
        ServerMs[index] = reply.ServerMs;
        ServerGen0[index] = reply.ServerGen0;
        ServerAllocated[index] = reply.ServerAllocated;
        if (reply.ServerGen0 > Volatile.Read(ref LastGen0))
        {
            Volatile.Write(ref LastGen0, reply.ServerGen0);
        }

        Done[index] = now;
        Finished();
    }

    public void Fail(int index)
    {
        Done[index] = -1;
        Finished();
    }

    private void Finished()
    {
        if (Interlocked.Increment(ref _finished) == Count)
        {
            AllDone.Set();
        }
    }

    public void Finish(TimeSpan clientCpu, TimeSpan? serverCpu, (long, long)? serverSwitches, (int, int, int) clientGcs)
    {
        ServerSwitches = serverSwitches;
        ClientCpu = clientCpu;
        ServerCpu = serverCpu;
        ClientGcs = clientGcs;
        var last = Done.Max();
        Elapsed = (Math.Max(last, Scheduled.LastOrDefault()) - Started) / (double)Stopwatch.Frequency;
    }

    public int Replied => Done.Count(d => d > 0);

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
