import ArgumentParser
import Foundation
import TemperCore

struct CleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Delete a work dir (only if it is a temper work dir and no run holds it).")

    @Option(help: "Work dir (default: the only one under .temper/).")
    var workdir: String?

    func run() async throws {
        do {
            let workDir = try workdir.map { WorkDir(root: $0) } ?? StatusReader.defaultWorkDir()
            try WorkDirCleaner.clean(workDir)
            print("removed \(workDir.root)")
        } catch {
            throw Terminal.fail(error)
        }
    }
}
