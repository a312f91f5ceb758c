import ZooKeeperCLI

await ZKCommand.runMain()
