// Tests that import the test support also get `ChildProcess` (and its `run`), as zk starts programs.
@_exported import ProcessSupport
