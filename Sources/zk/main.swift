import ZooKeeperShell

await ZKCommand.runMain()
