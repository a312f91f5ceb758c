import ZooKeeperShell

ZKCommand.start()
