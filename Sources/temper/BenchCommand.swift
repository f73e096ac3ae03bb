import ArgumentParser
import Foundation
import TemperCore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the profile's [bench] workload on the optimized (and baseline) artifacts and print figures.")

    @Argument(help: "The pipeline profile (TOML).")
    var profile: String

    @Option(help: "Work dir (default: .temper/NAME).")
    var workdir: String?

    @Option(help: "Interleaved timed runs per variant.")
    var runs = 3

    @Flag(help: "Also count executed instructions with callgrind (deterministic; needs valgrind).")
    var instructions = false

    @Flag(help: "Print the figures as JSON.")
    var json = false

    func run() async throws {
        do {
            guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
            let parsed = try ProfileParser.load(path: profile)
            let workDir = WorkDir(root: workdir ?? WorkDir.defaultRoot(profileName: parsed.name))
            let results = try await BenchRun().run(profile: parsed, workDir: workDir, runs: runs, instructions: instructions)
            if json {
                print(String(decoding: try JSONEncoder.temper.encode(results), as: UTF8.self))
            } else {
                print("bench \(parsed.name): \(try BenchRun.command(profile: parsed, workDir: workDir, variant: .optimized).displayString)")
                print(BenchRun.render(results))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw Terminal.fail(error)
        }
    }
}
