using System.Collections.Concurrent;

namespace Rapport.Http.Chat;

/// <summary>
/// Which staff members are online: connected to the staff chat hub in this process (a member
/// with two tabs open counts once). Several server nodes would need this shared (see docs/conversations.md).
/// </summary>
internal sealed class ChatPresence
{
    private readonly ConcurrentDictionary<long, int> _connections = new();

    public void Connected(long staffId) => _connections.AddOrUpdate(staffId, 1, (_, n) => n + 1);

    public void Disconnected(long staffId)
    {
        if (_connections.AddOrUpdate(staffId, 0, (_, n) => Math.Max(0, n - 1)) == 0)
        {
            _connections.TryRemove(new KeyValuePair<long, int>(staffId, 0));
        }
    }

    public bool IsOnline(long staffId) => _connections.TryGetValue(staffId, out var n) && n > 0;

    public IReadOnlyList<long> Online() => _connections.Where(kv => kv.Value > 0).Select(kv => kv.Key).Order().ToList();
}
