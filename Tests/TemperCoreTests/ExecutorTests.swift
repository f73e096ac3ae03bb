import Foundation
import Logging
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// A stage that writes one file derived from its setting, and counts its executions.
struct FileStage: Stage {
    let id: StageID
    let consumes: [StageID]
    let setting: String
    let counter: ExecutionCounter
    var failWith: String?
    /// Items to record before (maybe) failing, to exercise per-item checkpoints.
    var items: [String] = []

    func plan(_ context: PlanContext) throws -> CommandList {
        CommandList([PlanStep("write", Command(executable: "true", arguments: [setting, "-j\(context.jobsText)"], workingDirectory: "/"))])
    }

    func execute(_ plan: CommandList, _ context: StageContext) async throws -> StageResult {
        await counter.add(name, skippedItems: Array(context.items.done.keys))
        for item in items where context.items.done[item] == nil {
            let path = context.directory + "/\(item).item"
            try Data(item.utf8).write(to: URL(fileURLWithPath: path))
            try await context.items.record(item, files: [path])
        }
        if let failWith { throw StageError(stage: name, message: failWith) }
        // The executor hands over the plan it fingerprinted, with {jobs} rendered.
        #expect(plan == (try self.plan(PlanContext(workDir: context.workDir, jobs: nil))).rendered(jobs: context.plan.jobs!))
        let output = context.directory + "/out.txt"
        let upstream = consumes.compactMap { context.plan.upstream[$0]?.fingerprint }.joined()
        try Data((setting + upstream).utf8).write(to: URL(fileURLWithPath: output))
        return StageResult(outputs: [output], counts: ["n": 1])
    }
}

actor ExecutionCounter {
    var runs: [String] = []
    var skipped: [String: [String]] = [:]

    func add(_ name: String, skippedItems: [String]) {
        runs.append(name)
        skipped[name] = skippedItems.sorted()
    }

    func take() -> [String] {
        defer { runs = [] }
        return runs
    }
}

@Suite struct ExecutorTests {
    let root: String
    let workDir: WorkDir
    let counter = ExecutionCounter()

    init() throws {
        root = try Fixtures.temporaryDirectory()
        workDir = WorkDir(root: root)
    }

    func executor(shared: [String: String] = ["source": "s1"]) throws -> PipelineExecutor {
        PipelineExecutor(
            workDir: workDir, store: try StateStore(path: workDir.stateFile, profile: "t"), runner: SubprocessRunner(),
            progress: SilentProgress(), logger: Logger(label: "test"), sharedMaterial: shared)
    }

    func stages(a: String = "a1", c: String = "c1", failB: String? = nil, bItems: [String] = []) -> [any Stage] {
        [
            FileStage(id: "a", consumes: [], setting: a, counter: counter),
            FileStage(id: "b", consumes: ["a"], setting: "b1", counter: counter, failWith: failB, items: bItems),
            FileStage(id: "c", consumes: [], setting: c, counter: counter),
            FileStage(id: "d", consumes: ["b"], setting: "d1", counter: counter),
        ]
    }

    @Test func secondRunReusesEverything() async throws {
        let first = try await executor().run(stages(), options: .init(jobs: 2))
        #expect(first.map(\.outcome) == [.executed, .executed, .executed, .executed])
        #expect(await counter.take() == ["a", "b", "c", "d"])
        let second = try await executor().run(stages(), options: .init(jobs: 2))
        #expect(second.map(\.outcome) == [.reused, .reused, .reused, .reused])
        #expect(second.map(\.fingerprint) == first.map(\.fingerprint))
        #expect(await counter.take() == [])
    }

    @Test func jobsDoNotChangeFingerprints() async throws {
        _ = try await executor().run(stages(), options: .init(jobs: 2))
        _ = await counter.take()
        let again = try await executor().run(stages(), options: .init(jobs: 7))
        #expect(again.allSatisfy { $0.outcome == .reused })
    }

    @Test func changedInputRerunsTheStageAndEverythingDownstream() async throws {
        _ = try await executor().run(stages(), options: .init(jobs: 1))
        _ = await counter.take()
        let reports = try await executor().run(stages(a: "a2"), options: .init(jobs: 1))
        #expect(reports.map(\.outcome) == [.executed, .executed, .reused, .executed])
        #expect(await counter.take() == ["a", "b", "d"])
    }

    @Test func sharedMaterialSuchAsTheSourceDigestRerunsAll() async throws {
        _ = try await executor().run(stages(), options: .init(jobs: 1))
        _ = await counter.take()
        _ = try await executor(shared: ["source": "s2"]).run(stages(), options: .init(jobs: 1))
        #expect(await counter.take() == ["a", "b", "c", "d"])
    }

    @Test func alteredOrMissingOutputIsNoticed() async throws {
        _ = try await executor().run(stages(), options: .init(jobs: 1))
        _ = await counter.take()
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: workDir.stageDirectory("b") + "/out.txt"))
        _ = try await executor().run(stages(), options: .init(jobs: 1))
        #expect(await counter.take() == ["b", "d"])
        try FileManager.default.removeItem(atPath: workDir.stageDirectory("c") + "/out.txt")
        _ = try await executor().run(stages(), options: .init(jobs: 1))
        #expect(await counter.take() == ["c"])
    }

    @Test func toStopsAndFromForces() async throws {
        let partial = try await executor().run(stages(), options: .init(to: "b", jobs: 1))
        #expect(partial.map(\.outcome) == [.executed, .executed, .pending, .pending])
        _ = await counter.take()
        let forced = try await executor().run(stages(), options: .init(from: "b", jobs: 1))
        #expect(forced.map(\.outcome) == [.reused, .executed, .executed, .executed])
        #expect(await counter.take() == ["b", "c", "d"])
    }

    @Test func fromRefusesWhenAnEarlierStageHasNoCheckpoint() async throws {
        await #expect(throws: PipelineError.self) {
            _ = try await executor().run(stages(), options: .init(from: "c", jobs: 1))
        }
        await #expect(throws: PipelineError.self) {
            _ = try await executor().run(stages(), options: .init(to: "nope", jobs: 1))
        }
    }

    @Test func failureIsRecordedAndFinishedItemsSurviveIt() async throws {
        do {
            _ = try await executor().run(stages(failB: "boom", bItems: ["x", "y"]), options: .init(jobs: 1))
            Issue.record("expected a failure")
        } catch PipelineError.halted(let reports, let cause) {
            #expect(reports.map(\.outcome) == [.executed, .failed, .pending, .pending])
            #expect("\(cause)".contains("boom"))
            #expect(ExitStatus.of(PipelineError.halted(reports: reports, cause: cause)) == ExitStatus.stageFailed)
        }
        let state = try #require(try StateStore.load(path: workDir.stateFile))
        #expect(state.stages["b"]?.status == .failed)
        #expect(state.stages["b"]?.items?.done.keys.sorted() == ["x", "y"])
        _ = await counter.take()
        // The next run resumes b with its finished items, and a is reused.
        let reports = try await executor().run(stages(bItems: ["x", "y", "z"]), options: .init(jobs: 1))
        #expect(reports.map(\.outcome) == [.reused, .executed, .executed, .executed])
        #expect(await counter.skipped["b"] == ["x", "y"])
    }

    @Test func itemsAreDroppedWhenTheirFilesChanged() async throws {
        _ = try? await executor().run(stages(failB: "boom", bItems: ["x", "y"]), options: .init(jobs: 1))
        try Data("changed".utf8).write(to: URL(fileURLWithPath: workDir.stageDirectory("b") + "/x.item"))
        _ = try await executor().run(stages(bItems: ["x", "y"]), options: .init(jobs: 1))
        #expect(await counter.skipped["b"] == ["y"])
    }

    @Test func aRunKilledMidStageLeavesItRunningAndItRunsAgain() async throws {
        _ = try await executor().run(stages(), options: .init(jobs: 1))
        let store = try StateStore(path: workDir.stateFile, profile: "t")
        try await store.update("c") { $0?.status = .running }
        _ = await counter.take()
        _ = try await executor().run(stages(), options: .init(jobs: 1))
        #expect(await counter.take() == ["c"])
        #expect(try StatusReader.entries(workDir: workDir).map(\.name) == ["a", "b", "c", "d"])
    }
}

/// Records why each stage ran, as the terminal shows it.
final class ReasonRecorder: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private var reasons: [String: String] = [:]

    func stageStarted(_ stage: String, reason: String) { lock.withLock { reasons[stage] = reason } }
    func stageRunning(_ stage: String, seconds: Double) {}
    func stageFinished(_ stage: String, outcome: StageOutcome, seconds: Double, note: String?) {}
    func itemStarted(_ stage: String, item: String, total: Int) {}
    func itemFinished(_ stage: String, item: String, done: Int, total: Int, ok: Bool) {}
    func take() -> [String: String] { lock.withLock { defer { reasons = [:] }; return reasons } }
}

@Suite struct RerunReasonTests {
    @Test func eachRerunSaysWhy() async throws {
        let workDir = WorkDir(root: try Fixtures.temporaryDirectory())
        let counter = ExecutionCounter()
        let recorder = ReasonRecorder()
        func run(a: String) async throws {
            let executor = PipelineExecutor(
                workDir: workDir, store: try StateStore(path: workDir.stateFile, profile: "t"), runner: SubprocessRunner(),
                progress: recorder, logger: Logger(label: "test"), sharedMaterial: [:])
            _ = try await executor.run([
                FileStage(id: "a", consumes: [], setting: a, counter: counter),
                FileStage(id: "b", consumes: ["a"], setting: "b", counter: counter),
            ], options: .init(jobs: 1))
        }
        try await run(a: "1")
        #expect(recorder.take() == ["a": "it has not run", "b": "it has not run"])
        try await run(a: "2")
        #expect(recorder.take() == ["a": "its inputs changed", "b": "its inputs changed"])
        try Data("x".utf8).write(to: URL(fileURLWithPath: workDir.stageDirectory("a") + "/out.txt"))
        try await run(a: "2")
        #expect(recorder.take() == ["a": "its output stages/a/out.txt is missing or altered", "b": "a ran again"])
    }
}

/// The process seam on a real process.
@Suite struct ProcessSeamTests {
    /// A program still open for writing (another thread was writing it when a process forked)
    /// cannot be executed (ETXTBSY); the seam launches again once it is closed.
    @Test func anExecutableBusyBeingWrittenIsLaunchedOnceItIsClosed() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let program = directory + "/busy.sh"
        FileManager.default.createFile(atPath: program, contents: Data("#!/bin/sh\necho launched\n".utf8), attributes: [.posixPermissions: 0o755])
        let writer = try #require(FileHandle(forWritingAtPath: program))
        let release = Task {
            try await Task.sleep(for: .milliseconds(80))
            try writer.close()
        }
        let outcome = try await SubprocessRunner().run(Command(executable: program, arguments: [], workingDirectory: directory), logPath: directory + "/log")
        try await release.value
        #expect(outcome.succeeded)
        #expect(try String(contentsOfFile: directory + "/log", encoding: .utf8).contains("launched"))
    }
}
