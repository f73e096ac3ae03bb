import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

@Suite struct ELFFileTests {
    @Test func readsSectionNamesOfARealBinary() throws {
        // The test runner itself is an ELF executable with the usual sections.
        let elf = try #require(ELFFile(path: "/proc/self/exe"))
        #expect(elf.sectionNames.contains(".text"))
        #expect(elf.sectionNames.contains(".data") || elf.sectionNames.contains(".rodata"))
        #expect(!elf.hasProfileInstrumentation)
    }

    @Test func nonELFFilesAreNotJudged() throws {
        let root = try Fixtures.temporaryDirectory()
        try Data("#!/bin/sh\necho hi\n".utf8).write(to: URL(fileURLWithPath: root + "/script"))
        #expect(ELFFile(path: root + "/script") == nil)
        #expect(ELFFile(path: root + "/missing") == nil)
        try Data([0x7f, 0x45, 0x4c, 0x46, 2, 1]).write(to: URL(fileURLWithPath: root + "/truncated"))
        #expect(ELFFile(path: root + "/truncated") == nil)
    }
}
