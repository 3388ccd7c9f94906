using System.Collections.Concurrent;

namespace Rapport.Http.Chat;

/// <summary>
/// Which staff members are online: connected to the staff chat hub in this process (a member
/// with two tabs open counts once). Several server nodes would need this shared (see docs/conversations.md).
/// It also knows how to end a member's live connections when they are disabled.
/// </summary>
internal sealed class ChatPresence
{
    private readonly ConcurrentDictionary<long, int> _connections = new();
    private readonly ConcurrentDictionary<string, (long StaffId, Action Abort)> _live = new();

    public void Connected(long staffId) => _connections.AddOrUpdate(staffId, 1, (_, n) => n + 1);

    /// <summary>Online, and remembers how to end this connection (<see cref="EndConnections"/>).</summary>
    public void Connected(long staffId, string connectionId, Action abort)
    {
        _live[connectionId] = (staffId, abort);
        Connected(staffId);
    }

    /// <summary>Offline once (a connection ended by <see cref="EndConnections"/> was counted off there already).</summary>
    public void Disconnected(long staffId, string connectionId)
    {
        if (_live.TryRemove(connectionId, out _))
        {
            Disconnected(staffId);
        }
    }

    private void Disconnected(long staffId)
    {
        if (_connections.AddOrUpdate(staffId, 0, (_, n) => Math.Max(0, n - 1)) == 0)
        {
            _connections.TryRemove(new KeyValuePair<long, int>(staffId, 0));
        }
    }

    /// <summary>Closes every live chat connection of the member (disabled): they are offline at once, not at their next page.</summary>
    public int EndConnections(long staffId)
    {
        var ended = 0;
        foreach (var (id, (staff, abort)) in _live)
        {
            if (staff == staffId && _live.TryRemove(id, out _))
            {
                abort();
                Disconnected(staffId);
                ended++;
            }
        }

        return ended;
    }

    public bool IsOnline(long staffId) => _connections.TryGetValue(staffId, out var n) && n > 0;

    public IReadOnlyList<long> Online() => _connections.Where(kv => kv.Value > 0).Select(kv => kv.Key).Order().ToList();
}
