import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each stage's last outcome in a work dir.")

    @OptionGroup var location: WorkDirOption

    @Flag(help: "Print {\"workdir\", \"stages\": [...]} as JSON, the same stage list as report.json.")
    var json = false

    func run() async throws {
        let workDir = try location.resolve()
        let entries = try StatusReader.entries(workDir: workDir)
        if json {
            struct Output: Encodable { var workdir: String; var stages: [StatusReader.Entry] }
            print(String(decoding: try JSONEncoder.temper.encode(Output(workdir: workDir.root, stages: entries)), as: UTF8.self))
        } else {
            print("work dir \(workDir.root)")
            for entry in entries {
                let seconds = String(format: "%.1f s", entry.seconds)
                print("  \(entry.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \((entry.status == "running" && entry.outcome == .pending ? "running" : entry.outcome.rawValue).padding(toLength: 12, withPad: " ", startingAt: 0)) \(seconds)\(entry.message.map { "  \($0.split(separator: "\n").first ?? "")" } ?? "")")
            }
        }
    }
}
