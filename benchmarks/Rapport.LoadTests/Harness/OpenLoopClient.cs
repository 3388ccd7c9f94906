using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// The shared load client (loyalty and decisions scenarios): an open-loop schedule of
/// pre-serialised HTTP/1.1 requests over keep-alive connections, cheap enough that the client's
/// own delays are not what it measures.
/// <list type="bullet">
/// <item>One timing thread sends request i at start + i/rate, sleeping to that instant with an
/// absolute clock_nanosleep (timer slack 1 ns, no spinning and no 1 ms Task.Delay steps) and
/// writing the request's bytes to a free connection itself (no task, no thread hop).</item>
/// <item>Each connection has a thread blocked in recv that parses the reply in place, records it
/// and, if requests are waiting for a connection, sends the next one.</item>
/// <item>Latency is measured from the scheduled send time, not the actual one (coordinated
/// omission corrected): a request that waited for the client, for a free connection or behind a
/// stalled server counts the wait. The time from the actual send (the definition before session
/// 7) and the send lag are kept too, and the server's own time from its Server-Timing header.</item>
/// </list>
/// </summary>
internal sealed partial class OpenLoopClient : IDisposable
{
    private readonly Uri _server;
    private readonly Lock _gate = new();
    private readonly Stack<Connection> _free = new();
    private readonly Queue<int> _waiting = new();
    private readonly List<Connection> _all = [];
    private LoadRun? _run;

    /// <param name="connections">Keep-alive connections opened at once; requests beyond them wait (and the wait is counted).</param>
    public OpenLoopClient(Uri server, int connections = 32)
    {
        _server = server;
        for (var i = 0; i < connections; i++)
        {
            var c = new Connection(this, Connect());
            _all.Add(c);
            _free.Push(c);
        }
    }

    public int Connections => _all.Count;

    /// <summary>
    /// Sends rate × seconds requests open-loop, request i being requests[i % Count], and waits at
    /// most <paramref name="drain"/> after the last one for the replies still out. With
    /// <paramref name="server"/>, its CPU time and context switches over the run are recorded too.
    /// </summary>
    public LoadRun Run(IReadOnlyList<LoadRequest> requests, int rate, double seconds, TimeSpan drain, RapportServer? server = null)
    {
        var count = (int)(rate * seconds);
        var run = new LoadRun(requests, count, rate);
        lock (_gate)
        {
            _run = run;
            _waiting.Clear();
        }

        var gc = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var serverCpuBefore = server?.ProcessorTime ?? TimeSpan.Zero;
        var switchesBefore = server?.ContextSwitches ?? default;
        var timer = new Thread(() => Schedule(run)) { Name = "load schedule", IsBackground = true, Priority = ThreadPriority.Highest };
        timer.Start();
        timer.Join();
        run.AllDone.Wait(drain);
        run.Finish(
            Process.GetCurrentProcess().TotalProcessorTime - clientCpu,
            server is null ? null : server.ProcessorTime - serverCpuBefore,
            server is null ? null : (server.ContextSwitches.Voluntary - switchesBefore.Voluntary, server.ContextSwitches.Involuntary - switchesBefore.Involuntary),
            (GC.CollectionCount(0) - gc.Item1, GC.CollectionCount(1) - gc.Item2, GC.CollectionCount(2) - gc.Item3));
        return run;
    }

    private void Schedule(LoadRun run)
    {
        Clock.NarrowTimerSlack();
        var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 1000);
        run.Started = start;
        var ticksPerRequest = (double)Stopwatch.Frequency / run.Rate;
        for (var i = 0; i < run.Count; i++)
        {
            var due = start + (long)(i * ticksPerRequest);
            Clock.SleepUntil(due);
            run.Scheduled[i] = due;
            Connection? free;
            lock (_gate)
            {
                if (!_free.TryPop(out free))
                {
                    _waiting.Enqueue(i);
                }
            }

            free?.Send(run, i);
        }
    }

    /// <summary>A connection whose reply has been read: the next waiting request, or back to the free stack.</summary>
    private void Released(Connection connection)
    {
        LoadRun? run;
        int next;
        lock (_gate)
        {
            run = _run;
            if (run is null || !_waiting.TryDequeue(out next))
            {
                _free.Push(connection);
                return;
            }
        }

        connection.Send(run, next);
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Parse(_server.Host), _server.Port));
        return socket;
    }

    public void Dispose()
    {
        foreach (var c in _all)
        {
            c.Close();
        }
    }

    /// <summary>One keep-alive connection and the thread that reads its replies.</summary>
    private sealed class Connection
    {
        private readonly OpenLoopClient _owner;
        private Socket _socket;
        private byte[] _buffer = new byte[16 * 1024];
        private LoadRun? _run;
        private int _index;
        private volatile bool _closed;

        public Connection(OpenLoopClient owner, Socket socket)
        {
            _owner = owner;
            _socket = socket;
            new Thread(Receive) { Name = "load reply", IsBackground = true }.Start();
        }

        public void Send(LoadRun run, int index)
        {
            _run = run;
            _index = index;
            run.Sent[index] = Stopwatch.GetTimestamp();
            run.Gen0AtSend[index] = Volatile.Read(ref run.LastGen0);
            var bytes = run.Requests[index % run.Requests.Count].Bytes;
            try
            {
                for (var sent = 0; sent < bytes.Length;)
                {
                    sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                run.Fail(index);
            }
        }

        private void Receive()
        {
            var filled = 0;
            while (!_closed)
            {
                int n;
                try
                {
                    n = _socket.Receive(_buffer, filled, _buffer.Length - filled, SocketFlags.None);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    n = 0;
                }

                if (n == 0)
                {
                    if (_closed || !Reconnect())
                    {
                        return;
                    }

                    filled = 0;
                    continue;
                }

                filled += n;
                if (!HttpWire.TryParse(_buffer.AsSpan(0, filled), out var reply))
                {
                    if (filled == _buffer.Length)
                    {
                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }

                    continue;
                }

                _run!.Complete(_index, Stopwatch.GetTimestamp(), reply);
                filled = 0;
                if (reply.Close && !Reconnect())
                {
                    return;
                }

                _owner.Released(this);
            }
        }

        /// <summary>The server closed the connection (or asked to): the request out on it failed, a new one takes its place.</summary>
        private bool Reconnect()
        {
            if (_run is { } run && run.Done[_index] == 0)
            {
                run.Fail(_index);
            }

            _socket.Dispose();
            try
            {
                _socket = _owner.Connect();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public void Close()
        {
            _closed = true;
            _socket.Dispose();
        }
    }
}
