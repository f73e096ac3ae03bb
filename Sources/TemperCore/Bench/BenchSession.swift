import Foundation
import Logging

/// `temper bench` end to end: make sure every variant is built (the baseline stage is run if
/// missing, checkpointed like any stage), measure, and keep the result in report.json, in
/// `<workdir>/bench/latest.json` and in a timestamped history.
public struct BenchSession: Sendable {
    let progress: any ProgressSink
    let logger: Logger

    public init(progress: any ProgressSink, logger: Logger) {
        self.progress = progress
        self.logger = logger
    }

    public func run(profilePath: String, pipeline: PipelineRun.Options, bench: BenchRun.Options) async throws -> BenchResult {
        var options = pipeline
        options.baseline = true
        let report = try await PipelineRun(progress: progress, logger: logger).run(profilePath: profilePath, options: options)
        let profile = try ProfileParser.load(path: profilePath)
        let workDir = WorkDir(root: report.workdir)
        let lock = try WorkDirLock(workDir: workDir)
        defer { lock.release() }
        guard let state = try StateStore.load(path: workDir.stateFile) else { throw BenchError.notBuilt(workDir: workDir.root) }
        let logger = self.logger
        let result = try await BenchRun(progress: { logger.info("\($0)", metadata: ["stage": "bench"]) })
            .run(profile: profile, workDir: workDir, state: state, options: bench)
        let data = try JSONEncoder.temper.encode(result)
        let stamp = result.timestamp.replacingOccurrences(of: ":", with: "-")
        try AtomicFile.write(data, to: workDir.root + "/bench/history/\(stamp).json")
        try AtomicFile.write(data, to: Self.latest(workDir))
        var updated = report
        updated.bench = result
        try ReportBuilder.write(updated, to: workDir.reportFile)
        return result
    }

    static func latest(_ workDir: WorkDir) -> String { workDir.root + "/bench/latest.json" }

    /// The last bench, if it measured exactly the stages that are complete now.
    static func current(_ workDir: WorkDir, state: PipelineState) -> BenchResult? {
        guard let data = FileManager.default.contents(atPath: latest(workDir)),
            let result = try? JSONDecoder().decode(BenchResult.self, from: data)
        else { return nil }
        let now = state.stages.compactMapValues { $0.status == .completed ? $0.fingerprint : nil }
        return result.fingerprints == now ? result : nil
    }
}
