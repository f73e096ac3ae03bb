import Foundation
import Logging
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// A runner that answers from a script instead of running tools, and records what it was asked
/// to run: for failures real tools won't produce on demand, and to compare runs with plans.
final class ScriptedRunner: ProcessRunning, @unchecked Sendable {
    let respond: @Sendable (Command) -> (status: Int32, output: String)
    private let lock = NSLock()
    private var commands: [Command] = []

    init(_ respond: @escaping @Sendable (Command) -> (status: Int32, output: String)) {
        self.respond = respond
    }

    var ran: [Command] { lock.withLock { commands } }

    func run(_ command: Command, logPath: String, annotate: Bool) async throws -> ProcessOutcome {
        lock.withLock { commands.append(command) }
        let (status, output) = respond(command)
        if let handle = FileHandle(forWritingAtPath: logPath) ?? {
            FileManager.default.createFile(atPath: logPath, contents: nil)
            return FileHandle(forWritingAtPath: logPath)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data(output.utf8))
            try? handle.close()
        }
        return ProcessOutcome(termination: .exited(status), seconds: 0, logPath: logPath)
    }
}

@Suite struct MergeStageTests {
    /// llvm-profdata as the script plays it: `merge` writes its output file, `show` prints a
    /// summary of the given instrumentation level.
    static func profdata(level: String) -> @Sendable (Command) -> (status: Int32, output: String) {
        { command in
            if command.arguments.first == "merge", let output = command.arguments.first(where: { $0.hasPrefix("--output=") }) {
                FileManager.default.createFile(atPath: String(output.dropFirst("--output=".count)), contents: Data("profdata".utf8))
                return (0, "")
            }
            if command.arguments.contains("--covered") { return (0, "main\nlex_next\n") }
            return (0, "Instrumentation level: \(level)\nTotal functions: 17\nMaximum function count: 9\nTotal count: 99\n  main, max count = 9\n")
        }
    }

    func run(level: String, pgo: String) async throws -> (Result<StageResult, any Error>, ScriptedRunner, MergeStage.Plan) {
        let root = try Fixtures.temporaryDirectory()
        let workDir = WorkDir(root: root)
        let profile = try Fixtures.parse(Fixtures.minimalProfile + "\n[optimize]\npgo = \"\(pgo)\"\n")
        let stage = try Fixtures.stage(.merge, profile, as: MergeStage.self)
        let raw = workDir.stageDirectory(.train) + "/raw/one/1.profraw"
        try workDir.makeDirectory(workDir.stageDirectory(.train) + "/raw/one")
        FileManager.default.createFile(atPath: raw, contents: Data("raw".utf8))
        var train = StageRecord(fingerprint: "t", status: .completed, outcome: .executed, seconds: 1)
        train.outputs = [workDir.relative(raw): FileDigest.sha256(of: raw)!]
        let planContext = PlanContext(workDir: workDir, jobs: 2, upstream: [.train: train])
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: nil, upstream: [.train: train])).rendered(jobs: 2)
        try workDir.makeDirectory(workDir.stageDirectory(.merge))
        try workDir.makeDirectory(workDir.logs)
        let runner = ScriptedRunner(Self.profdata(level: level))
        let context = StageContext(
            plan: planContext, runner: runner, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), progress: SilentProgress(),
            items: ItemCheckpoint(store: nil, stage: .merge, workDir: workDir, done: [:]),
            directory: workDir.stageDirectory(.merge), logPath: workDir.log("merge"))
        do {
            return (.success(try await stage.execute(plan, context)), runner, plan)
        } catch {
            return (.failure(error), runner, plan)
        }
    }

    @Test func runsExactlyThePlannedCommandsAndAddressesTheResultByContent() async throws {
        let (result, runner, plan) = try await run(level: "IR", pgo: "ir")
        let output = try result.get()
        #expect(runner.ran == plan.steps.map(\.command))
        #expect(plan.steps[0].command.arguments.contains("--num-threads=2"))
        #expect(plan.rawProfiles.count == 1 && plan.rawProfiles[0].hasSuffix("/stages/train/raw/one/1.profraw"))
        let profdata = try #require(output.named["profdata"])
        #expect(profdata == "stages/merge/\(FileDigest.sha256(of: output.outputs[0])!).profdata")
        #expect(output.counts["functions"] == 17 && output.counts["functions_executed"] == 2)
    }

    @Test func aFrontEndProfileForAnIRBuildIsRefused() async throws {
        let (result, _, _) = try await run(level: "Front-end", pgo: "ir")
        guard case .failure(let error as StageError) = result else {
            Issue.record("merge accepted a front-end profile for an IR PGO build: \(result)")
            return
        }
        #expect(error.message.contains("the merged profile is front-end instrumentation, but `[optimize] pgo` is \"ir\""))
        let (irForFrontend, _, _) = try await run(level: "IR", pgo: "frontend")
        #expect(throws: StageError.self) { try irForFrontend.get() }
    }
}
