import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Merges the raw profiles with the toolchain's own llvm-profdata into a content-addressed
/// `.profdata`, and records what it holds (function count, total and max counts).
public struct MergeStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let toolchain: Toolchain
    /// The training stage whose raw profiles are merged, wired by the composer.
    let rawFrom: StageID
    /// A merged profile merged in too (CS-IRPGO: the IR profile under the context-sensitive counts).
    let baseProfile: StageID?

    public init(id: StageID = .merge, profile: PipelineProfile, toolchain: Toolchain, rawFrom: StageID = .train, baseProfile: StageID? = nil) {
        self.id = id
        self.profile = profile
        self.toolchain = toolchain
        self.rawFrom = rawFrom
        self.baseProfile = baseProfile
    }

    public var consumes: [StageID] { [rawFrom] + [baseProfile].compactMap { $0 } }

    func paths(_ workDir: WorkDir) -> (inputs: String, merged: String) {
        let directory = workDir.stageDirectory(id)
        return (directory + "/inputs.txt", directory + "/merged.profdata")
    }

    /// The raw profiles the training stage recorded (empty while planning ahead of a run).
    func rawProfiles(_ context: PlanContext) -> [String] {
        let base = baseProfile.flatMap { context.upstream[$0]?.output(.profileData) }.map(context.workDir.absolute)
        return [base].compactMap { $0 } + (context.upstream[rawFrom]?.outputs.keys.sorted() ?? []).filter { $0.hasSuffix(".profraw") }.map(context.workDir.absolute)
    }

    /// Every command is fixed here: llvm-profdata reads the raw profiles from a list file
    /// (its content is part of the plan), writes one fixed path, and `show` reads that path.
    public func plan(_ context: PlanContext) throws -> Plan {
        let (inputs, merged) = paths(context.workDir)
        let directory = context.workDir.stageDirectory(id)
        return Plan(
            rawProfiles: rawProfiles(context), pgo: profile.optimize.pgo,
            merge: ToolCommands.profdataMerge(toolchain.profdata.path, threads: context.jobsText, output: merged, inputList: inputs, directory: directory),
            inspect: ProfileInspection.commands(profdata: toolchain.profdata.path, file: merged, directory: directory))
    }

    /// The merge, as a value: the raw profiles read from train's record, the PGO flavour the
    /// optimize build expects, and the commands.
    public struct Plan: StagePlan {
        public var rawProfiles: [String]
        public var pgo: PGOMode
        public var merge: Command
        public var inspect: ProfileInspection.Commands

        public var steps: [PlanStep] { [PlanStep("merge", merge), PlanStep("show", inspect.show), PlanStep("covered", inspect.covered)] }

        public func mapCommands(_ transform: (Command) -> Command) -> Plan {
            var plan = self
            plan.merge = transform(merge)
            plan.inspect = .init(show: transform(inspect.show), covered: transform(inspect.covered))
            return plan
        }
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        let (inputs, merged) = paths(workDir)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: context.directory)) ?? [] {
            try workDir.remove(context.directory + "/" + entry)
        }
        let raw = plan.rawProfiles
        guard !raw.isEmpty else {
            throw StageError(stage: name, message: "\(rawFrom) recorded no raw profiles to merge. Run `temper run --from \(rawFrom)`.")
        }
        try Data((raw.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: inputs))
        try workDir.remove(context.logPath)
        let merge = plan.merge
        let outcome = try await context.runner.run(merge, logPath: context.logPath)
        guard outcome.succeeded else {
            throw StageError.toolFailed(
                stage: name, step: "merge", command: merge, outcome: outcome,
                hint: "llvm-profdata must come from the same LLVM as the compiler that wrote the raw profiles (\(toolchain.cc.path), LLVM \(toolchain.cc.version)).")
        }
        guard let digest = FileDigest.sha256(of: merged) else {
            throw StageError(stage: name, message: "llvm-profdata exited 0 but wrote no \(merged). Log: \(context.logPath)")
        }
        let inspection: ProfileInspection
        do {
            inspection = try await ProfileInspection.run(plan.inspect, runner: context.runner)
        } catch let failed as ProfileInspection.ShowFailed {
            throw StageError(stage: name, message: failed.description)
        }
        let (text, summary) = (inspection.text, inspection.summary)
        try Data(text.utf8).write(to: URL(fileURLWithPath: context.directory + "/summary.txt"))
        guard let functions = summary.functions, functions > 0 else {
            throw StageError(stage: name, message: "the merged profile \(merged) holds no function. The training tasks did not run instrumented code; check them. Summary:\n\(text.prefix(1000))")
        }
        if let level = summary.level, level != plan.pgo.profileLevel {
            throw StageError(stage: name, message: "the merged profile is \(level == .ir ? "IR" : "front-end") instrumentation, but `[optimize] pgo` is \"\(profile.optimize.pgo.rawValue)\". Raw profiles of the two kinds merge without error into a useless profile; run with --fresh.")
        }
        let hottest = context.directory + "/hottest.json"
        try JSONEncoder.temper.encode(summary.hottest).write(to: URL(fileURLWithPath: hottest))
        // Content-addressed, so a build that uses it names its exact bytes (and caches key on them).
        let addressed = context.directory + "/\(digest).profdata"
        try workDir.remove(addressed)
        try FileManager.default.moveItem(atPath: merged, toPath: addressed)
        var counts: [String: Int] = ["functions": functions, "raw_profiles": raw.count]
        counts["functions_executed"] = inspection.covered?.count
        counts["total_count"] = summary.totalCount
        counts["max_count"] = summary.maxCount
        return StageResult(
            outputs: [addressed, hottest], counts: counts, named: [OutputName.profileData.rawValue: workDir.relative(addressed), OutputName.hottestFunctions.rawValue: workDir.relative(hottest)],
            message: "\(raw.count) raw profiles, \(functions) functions" + (summary.totalCount.map { ", total count \($0)" } ?? ""))
    }
}


