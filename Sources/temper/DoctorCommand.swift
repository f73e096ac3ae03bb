import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "List the toolchain's tools and probe it (instrumented build, run, merge, PGO + LTO rebuild, BOLT); with a profile, also every program its commands run.",
        discussion: "Exit status 0 when every required probe passes, 3 otherwise.")

    @Argument(help: "A pipeline profile, to check the toolchain it would use.")
    var profile: String?

    @OptionGroup var toolchain: ToolchainOptions

    @Flag(help: "Print {\"tools\": [...], \"probes\": [...]} as JSON.")
    var json = false

    func run() async throws {
        let parsed = try profile.map { try ProfileParser.load(path: $0) }
        let family = toolchain.compiler ?? parsed?.toolchain.compiler ?? .clang
        let scratch = WorkDir(root: FileManager.default.temporaryDirectory.appendingPathComponent("temper-doctor-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(atPath: scratch.root) }
        var (report, _) = await Doctor().examine(llvmBin: toolchain.llvmBin ?? parsed?.toolchain.llvmBin, family: family, scratch: scratch)
        if let parsed {
            report.probes.append(Doctor.programsProbe(parsed))
        }
        print(json ? String(decoding: try JSONEncoder.temper.encode(report), as: UTF8.self) : DoctorPrinter.render(report))
        if !report.healthy { throw ExitCode(ExitStatus.toolchain) }
    }
}
