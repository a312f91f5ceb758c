import ArgumentParser
import Testing

@testable import ZooKeeperShell

/// zk's commands by name: every one names itself (no name is derived from a Swift type's name),
/// names are unique, and the table finds each by name and alias.
@Suite struct CommandTableTests {
    @Test func everyCommandNamesItselfOnce() {
        let types = ZKCommand.configuration.subcommands
        for type in types {
            #expect(type.configuration.commandName?.isEmpty == false, "\(type) has no commandName")
        }
        var names: [String] = []
        for type in types { names += [CommandTable.name(of: type)] + type.configuration.aliases }
        #expect(Set(names).count == names.count, "\(names)")
    }

    @Test func theTableFindsEachCommandByNameAndAlias() {
        for type in ZKCommand.configuration.subcommands {
            for name in [CommandTable.name(of: type)] + type.configuration.aliases {
                #expect(
                    CommandTable.command(named: name).map(ObjectIdentifier.init) == ObjectIdentifier(type), "\(name)")
                #expect(CommandTable.names.contains(name))
            }
        }
        #expect(CommandTable.command(named: "nosuch") == nil)
        #expect(CommandTable.unknownCommand("lss").message == "unknown command 'lss'; did you mean 'ls'?")
    }
}
