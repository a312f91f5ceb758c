// The records (Stat, ACL, CreateMode, ...) are part of the client's API.
@_exported import ZooKeeperProtocol
