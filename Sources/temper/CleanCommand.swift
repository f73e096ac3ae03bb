import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct CleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Delete a work dir (only if it is a temper work dir and no run holds it).")

    @OptionGroup var location: WorkDirOption

    func run() async throws {
        let workDir = try location.resolve()
        try WorkDirCleaner.clean(workDir)
        print("removed \(workDir.root)")
    }
}
