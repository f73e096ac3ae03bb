import Foundation
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Shared test values: a toolchain that needs no real tools, and a minimal valid profile.
enum Fixtures {
    static func tool(_ role: String, _ name: String, major: Int = 22) -> Tool {
        Tool(role: role, path: "/opt/llvm/bin/\(name)", version: "\(major).1.8", major: major)
    }

    static let toolchain = Toolchain(
        family: .clang, directory: "/opt/llvm/bin", origin: "test",
        cc: tool("cc", "clang"), cxx: tool("cxx", "clang++"), profdata: tool("profdata", "llvm-profdata"),
        ar: tool("ar", "llvm-ar"), ranlib: tool("ranlib", "llvm-ranlib"), linker: tool("linker", "ld.lld"))

    static let minimalProfile = """
        version = 1
        name = "mini"

        [source]
        path = "src"

        [build]
        build = ["make", "-j{jobs}", "CC={cc}", "CFLAGS={cflags}"]
        artifacts = ["bin/app"]

        [[train.task]]
        name = "one"
        run = ["{artifact:app}", "input.txt"]
        """

    static func parse(_ text: String, file: String = "/p/profile.toml") throws -> PipelineProfile {
        try ProfileParser.parse(text, file: file)
    }

    /// A stage as the composer wires it into the profile's graph (tests never wire stages by hand).
    /// A plan's command by its display label: tests read plans the way `temper plan` prints them.
    static func command(_ label: String, in plan: any StagePlan) throws -> Command {
        guard let command = plan.steps.first(where: { $0.label == label })?.command else {
            throw StageError(stage: "test", message: "the plan has no step `\(label)`; it has \(plan.steps.map(\.label))")
        }
        return command
    }

    static func stage<T: Stage>(
        _ id: StageID, _ profile: PipelineProfile, toolchain: Toolchain = Fixtures.toolchain, baseline: Bool = false, bolt: BoltTools? = nil,
        as type: T.Type = T.self
    ) throws -> T {
        let graph = PipelineComposer.graph(for: profile, toolchain: toolchain, baseline: baseline, bolt: bolt)
        guard let stage = graph.stages.first(where: { $0.id == id }) as? T else {
            throw StageError(stage: id.rawValue, message: "not in the graph as \(T.self)")
        }
        return stage
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("temper-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
