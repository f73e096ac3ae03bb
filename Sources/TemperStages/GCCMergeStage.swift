import TemperModel
import TemperSystem
import TemperExecution
import Crypto
import Foundation

/// Merges GCC's per-task `.gcda` trees with the toolchain's own `gcov-tool merge` (which takes
/// two directories at a time) into a content-addressed directory that mirrors the instrumented
/// build directory, and records what it holds from `gcov-dump`.
public struct GCCMergeStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let toolchain: Toolchain
    /// The training stage whose `.gcda` trees are merged, and the instrumented build tree
    /// whose absolute path GCC reproduces under each task's GCOV_PREFIX; wired by the composer.
    let rawProfiles: StageOutputPath
    let instrumentedTree: StageOutputPath
    var rawFrom: StageID { rawProfiles.stage }

    public init(id: StageID = .merge, profile: PipelineProfile, toolchain: Toolchain, rawProfiles: StageOutputPath, instrumentedTree: StageOutputPath) {
        self.id = id
        self.profile = profile
        self.toolchain = toolchain
        self.rawProfiles = rawProfiles
        self.instrumentedTree = instrumentedTree
    }

    public var consumes: [StageID] { [rawFrom] }

    /// The task trees that hold profiles: each task's GCOV_PREFIX directory plus the
    /// instrumented build's absolute path. With the training record at hand, only the tasks
    /// that recorded files (one that failed under on_failure = "warn" may have left none).
    func taskRoots(_ context: PlanContext) -> [String] {
        let build = instrumentedTree.absolute(in: context.workDir)
        let rawRoot = rawProfiles.absolute(in: context.workDir)
        let recorded = context.upstream[rawFrom].map { Set($0.outputs.keys.map(context.workDir.absolute)) }
        return profile.train.tasks.map { rawRoot + "/" + $0.name + build }
            .filter { root in recorded.map { files in files.contains { $0.hasPrefix(root + "/") } } ?? true }
    }

    func mergeCommands(_ roots: [String], _ workDir: WorkDir) -> [Command] {
        let directory = workDir.stageDirectory(id)
        var commands: [Command] = []
        var accumulated = roots.first ?? ""
        for (index, root) in roots.dropFirst().enumerated() {
            let output = directory + "/step-\(index + 1)"
            commands.append(ToolCommands.gcovMerge(toolchain.profdata.path, output: output, accumulated, root, directory: directory))
            accumulated = output
        }
        return commands
    }

    /// The directory the merge leaves its result in: the one root itself, or the last step.
    func mergedDirectory(_ roots: [String], _ workDir: WorkDir) -> String {
        roots.count == 1 ? roots[0] : workDir.stageDirectory(id) + "/step-\(roots.count - 1)"
    }

    public func plan(_ context: PlanContext) throws -> Plan {
        let roots = taskRoots(context)
        let merged = mergedDirectory(roots, context.workDir)
        // gcov-dump reads files only: find hands it every merged .gcda (an argv, no shell).
        let summarize = toolchain.profileDump.flatMap { dump in
            roots.isEmpty ? nil : ToolCommands.gcovDumpAll(dump.path, under: merged, directory: context.workDir.stageDirectory(id))
        }
        return Plan(roots: roots, merges: mergeCommands(roots, context.workDir), merged: merged, summarize: summarize)
    }

    /// The merge, as a value: the task trees read from train's record, the pairwise merges,
    /// where the result lands, and the gcov-dump run that summarizes it.
    public struct Plan: StagePlan {
        public var roots: [String]
        public var merges: [Command]
        public var merged: String
        public var summarize: Command?

        public var steps: [PlanStep] { merges.map { PlanStep("merge", $0) } + [summarize.map { PlanStep("summarize", $0) }].compactMap { $0 } }

        public func mapCommands(_ transform: (Command) -> Command) -> Plan {
            var plan = self
            plan.merges = merges.map(transform)
            plan.summarize = summarize.map(transform)
            return plan
        }
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try context.startFresh()
        let roots = plan.roots
        guard !roots.isEmpty else {
            throw StageError(stage: name, message: "\(rawFrom) left no .gcda files under the instrumented build's path. Run `temper run --from \(rawFrom)`.")
        }
        for command in plan.merges {
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            guard outcome.succeeded else {
                throw StageError.toolFailed(stage: name, step: "merge", command: command, outcome: outcome,
                    hint: "gcov-tool must come from the same GCC as the compiler (\(toolchain.cc.path), GCC \(toolchain.cc.version)).")
            }
        }
        let merged = plan.merged
        let files = RawProfiles.find(in: merged, extension: "gcda")
        guard !files.isEmpty else {
            throw StageError(stage: name, message: "gcov-tool wrote no .gcda files to \(merged). Log: \(context.logPath)")
        }
        var summary = GCDASummary()
        if let summarize = plan.summarize {
            let (outcome, text) = try await context.runner.capture(summarize)
            if outcome.succeeded { summary.add(GCDASummary.parse(text)) }
        }
        // Content address: the digest of every relative path and its bytes.
        var hasher = SHA256()
        for file in files {
            hasher.update(data: Data(file.dropFirst(merged.count).utf8))
            hasher.update(data: Data((FileDigest.sha256(of: file) ?? "").utf8))
        }
        let digest = hasher.finalize().hex
        let addressed = context.directory + "/" + digest
        var outputs: [String] = []
        for file in files {
            let destination = addressed + file.dropFirst(merged.count)
            try workDir.copy(file, to: destination)
            outputs.append(destination)
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: context.directory)) ?? [] where entry.hasPrefix("step-") {
            try workDir.remove(context.directory + "/" + entry)
        }
        guard summary.functions > 0 else {
            throw StageError(stage: name, message: "the merged profile \(addressed) records no executed function. The training tasks did not run instrumented code; check them.")
        }
        return StageResult(
            outputs: outputs,
            counts: ["functions": summary.recorded, "functions_executed": summary.functions, "total_count": summary.totalCount, "max_count": summary.maxCount, "raw_profiles": roots.count, "gcda_files": outputs.count],
            named: [OutputName.profileDirectory.rawValue: workDir.relative(addressed)],
            message: "\(roots.count) task profiles, \(outputs.count) .gcda files, \(summary.functions) functions executed, total arc count \(summary.totalCount)")
    }
}
