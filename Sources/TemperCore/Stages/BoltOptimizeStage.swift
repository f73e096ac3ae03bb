import Foundation

/// Optimizes each BOLT artifact with its merged profile, reads BOLT's account of the work, and
/// verifies the result: the verify command must behave the same on the BOLTed artifacts as on
/// the pre-BOLT ones, or the stage fails and `out/` keeps the pre-BOLT artifacts.
public struct BoltOptimizeStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let bolt: BoltTools
    /// The optimized build tree whose artifacts are BOLTed, and the merged `.fdata` directory
    /// (one `NAME.fdata` per artifact), wired by the composer.
    let input: StageOutputPath
    let profiles: StageOutputPath

    public init(id: StageID = .boltOptimize, profile: PipelineProfile, bolt: BoltTools, input: StageOutputPath, profiles: StageOutputPath) {
        self.id = id
        self.profile = profile
        self.bolt = bolt
        self.input = input
        self.profiles = profiles
    }

    public var consumes: [StageID] { [profiles.stage, input.stage] }

    /// The optimization flags (temper's reporting flags are added by `ToolCommands`).
    var optimizationFlags: [String] { (profile.bolt.flags ?? BoltFlags.defaults(for: bolt)) + profile.bolt.extraFlags }
    public var flags: [String] { optimizationFlags + BoltTools.reportingFlags }

    /// BOLTed artifacts are written into a mirror of the optimized build, so they run (verify,
    /// bench) exactly where the originals do.
    func tree(_ workDir: WorkDir) -> String { workDir.stageDirectory(id) + "/tree" }

    func output(_ workDir: WorkDir, _ artifact: (path: String, name: String)) -> String { tree(workDir) + "/" + artifact.path }

    func command(_ artifact: (path: String, name: String), _ workDir: WorkDir) -> Command {
        ToolCommands.boltOptimize(
            bolt, input: input.absolute(in: workDir) + "/" + artifact.path,
            profile: profiles.absolute(in: workDir) + "/" + artifact.name + ".fdata",
            output: output(workDir, artifact), flags: optimizationFlags, directory: workDir.stageDirectory(id))
    }

    /// The verify command against the BOLTed artifacts (`bolted`) or the pre-BOLT ones.
    func verifyCommand(_ workDir: WorkDir, bolted: Bool) -> Command {
        let task = profile.verifyTask
        let build = bolted ? tree(workDir) : input.absolute(in: workDir)
        return profile.command(
            run: task.run, cwd: task.cwd, env: task.env, timeout: task.timeout, build: build, directory: build,
            artifacts: profile.artifactPaths(in: build))
    }

    public func plan(_ context: PlanContext) throws -> StagePlan {
        let optimize = profile.boltArtifacts.map { StagePlan.Step("llvm-bolt \($0.name)", command($0, context.workDir)) }
        return StagePlan(
            steps: optimize + [
                StagePlan.Step("verify (pre-BOLT)", verifyCommand(context.workDir, bolted: false)),
                StagePlan.Step("verify (BOLTed)", verifyCommand(context.workDir, bolted: true)),
            ],
            material: ["compare": profile.bolt.compare.rawValue, "timing_runs": String(profile.bolt.timingRuns)])
    }

    public func execute(_ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try workDir.freshDirectory(context.directory)
        // The BOLT artifacts are left out of the mirror: llvm-bolt writes them as new files.
        try BoltPaths.mirror(input.absolute(in: workDir), into: tree(workDir),
            replacing: [:], workDir: workDir)
        for artifact in profile.boltArtifacts { try workDir.remove(output(workDir, artifact)) }
        var reports: [BoltArtifactReport] = []
        var outputs: [String] = []
        var named: [String: String] = [:]
        for artifact in profile.boltArtifacts {
            let log = workDir.log("\(name)-\(artifact.name)")
            try workDir.remove(log)
            let command = try context.stagePlan.command("llvm-bolt \(artifact.name)")
            let outcome = try await context.runner.run(command, logPath: log)
            let result = output(workDir, artifact)
            guard outcome.succeeded, FileManager.default.fileExists(atPath: result) else {
                throw StageError.toolFailed(stage: name, step: "llvm-bolt \(artifact.name)", command: command, outcome: outcome,
                    hint: "The pre-BOLT artifact stays in out/. If a flag is at fault, adjust [bolt] flags or extra_flags, or run with --no-bolt.")
            }
            guard ELFFile(path: result)?.isBolted == true else {
                throw StageError(stage: name, message: "llvm-bolt exited 0 but \(result) carries no BOLT marker (.note.bolt_info); the pre-BOLT artifact stays in out/. Log: \(log)")
            }
            let parsed = BoltOutput.parse((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            let hotness = BoltOutput.hotness(fdata: (try? String(contentsOfFile: profiles.absolute(in: workDir) + "/" + artifact.name + ".fdata", encoding: .utf8)) ?? "")
            let hottest = parsed.failedFunctions
                .map { BoltArtifactReport.Function(name: $0, count: hotness[$0] ?? 0) }
                .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
            if let top = hottest.first, top.count > 0 {
                context.logger.warning("BOLT could not process \(parsed.failedFunctions.count) function(s) of \(artifact.name); the hottest is \(top.name) (\(top.count) profile counts)")
            }
            let input = input.absolute(in: workDir) + "/" + artifact.path
            reports.append(BoltArtifactReport(
                name: artifact.name, flags: flags, dynoStats: ["before": parsed.before, "after": parsed.after],
                failedFunctions: parsed.failedFunctions.count, hottestFailed: Array(hottest.prefix(10)), verified: false,
                bytesBefore: Self.size(input), bytesAfter: Self.size(result)))
            outputs.append(result)
            named[output: .artifact(artifact.name)] = workDir.relative(result)
        }
        let verification = try await verify(context)
        for index in reports.indices { reports[index].verified = true }
        let timing = try await time(context, first: verification, rounds: profile.bolt.timingRuns)
        var notes: [String] = []
        if timing.bolted > timing.preBolt * 1.05 {
            let slower = String(format: "%.0f%%", 100 * (timing.bolted / timing.preBolt - 1))
            context.logger.warning("the BOLTed artifacts ran the verify command \(slower) slower than before BOLT (median of \(timing.runs) interleaved runs). Fewer instructions do not always mean less time; check with `temper bench`, and see docs/bolt.md for flags that avoid this.")
            notes.append("verify \(slower) slower after BOLT")
        }
        let reportPath = context.directory + "/bolt-report.json"
        try JSONEncoder.temper.encode(BoltSummary(artifacts: reports, verifySeconds: timing)).write(to: URL(fileURLWithPath: reportPath))
        named[output: .boltReport] = workDir.relative(reportPath)
        let taken = reports.compactMap { report -> String? in
            guard let before = report.dynoStats["before"]?["taken_branches"], let after = report.dynoStats["after"]?["taken_branches"], before > 0 else { return nil }
            return String(format: "%@: taken branches %+.1f%%", report.name, 100 * Double(after - before) / Double(before))
        }
        return StageResult(
            outputs: outputs + [reportPath],
            counts: ["failed_functions": reports.map(\.failedFunctions).reduce(0, +)],
            named: named,
            message: (taken + ["verified"] + notes).joined(separator: ", "))
    }

    /// Times the verify command on both sides, interleaved, for the report; the verification
    /// run is the first of `rounds` samples.
    func time(_ context: StageContext, first: (before: Double, after: Double), rounds: Int) async throws -> BoltSummary.Timing {
        let workDir = context.workDir
        let log = workDir.log("\(name)-timing")
        try workDir.remove(log)
        var before = [first.before]
        var after = [first.after]
        let (preBolt, bolted) = (try context.stagePlan.command("verify (pre-BOLT)"), try context.stagePlan.command("verify (BOLTed)"))
        for _ in 1..<max(rounds, 1) {
            before.append(try await context.runner.run(preBolt, logPath: log, annotate: false).seconds)
            after.append(try await context.runner.run(bolted, logPath: log, annotate: false).seconds)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        return BoltSummary.Timing(runs: rounds, preBolt: median(before), bolted: median(after))
    }

    /// Runs the verify command on the pre-BOLT and the BOLTed artifacts and compares them;
    /// returns the two runs' seconds.
    func verify(_ context: StageContext) async throws -> (before: Double, after: Double) {
        let workDir = context.workDir
        let before = try context.stagePlan.command("verify (pre-BOLT)")
        let after = try context.stagePlan.command("verify (BOLTed)")
        let beforeLog = workDir.log("\(name)-verify-pre-bolt")
        let afterLog = workDir.log("\(name)-verify-bolted")
        for log in [beforeLog, afterLog] { try workDir.remove(log) }
        let expected = try await context.runner.run(before, logPath: beforeLog, annotate: false)
        let actual = try await context.runner.run(after, logPath: afterLog, annotate: false)
        let failure: String?
        if !actual.succeeded {
            failure = "the verify command failed on the BOLTed artifact (\(actual.statusDescription))"
        } else if actual.termination != expected.termination {
            failure = "the verify command ended with \(actual.statusDescription) on the BOLTed artifact but \(expected.statusDescription) before BOLT"
        } else if profile.bolt.compare == .output,
            (try? String(contentsOfFile: beforeLog, encoding: .utf8)) != (try? String(contentsOfFile: afterLog, encoding: .utf8))
        {
            failure = "the verify command printed something else on the BOLTed artifact than before BOLT (compare \(beforeLog) with \(afterLog); set [bolt] compare = \"status\" if the program prints timings)"
        } else {
            failure = nil
        }
        if let failure {
            throw StageError(stage: name, message: "BOLT verification failed: \(failure).\n  $ \(after.displayString)\n  last lines of output:\n\(LogTail.indented(afterLog))\n  The pre-BOLT artifact stays in out/. Check [bolt] flags, or run with --no-bolt.")
        }
        return (expected.seconds, actual.seconds)
    }

    static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
