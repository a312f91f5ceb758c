// The records and codes a client's user meets in its API; the rest of the protocol module (the
// requests and responses, the framing) is the client's own business: `import ZooKeeperProtocol`
// to use it directly.
@_exported import struct ZooKeeperProtocol.ACL
@_exported import struct ZooKeeperProtocol.AddWatchMode
@_exported import struct ZooKeeperProtocol.ClientInfo
@_exported import struct ZooKeeperProtocol.CreateMode
@_exported import struct ZooKeeperProtocol.ErrorCode
@_exported import struct ZooKeeperProtocol.EventType
@_exported import struct ZooKeeperProtocol.Id
@_exported import enum ZooKeeperProtocol.MultiResult
@_exported import struct ZooKeeperProtocol.Permissions
@_exported import struct ZooKeeperProtocol.Stat
@_exported import struct ZooKeeperProtocol.WatcherType
