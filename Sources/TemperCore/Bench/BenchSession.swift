import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
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
        try BenchRun.check(bench)
        let pipeline = PipelineRun(progress: progress, logger: logger)
        // The profile is checked (including [bench]) before anything is built or locked.
        let prepared = try await pipeline.prepare(profilePath: profilePath, options: options)
        guard prepared.profile.bench != nil else { throw BenchError.noBench(file: prepared.profile.file) }
        let workDir = prepared.workDir
        // One lock from the first stage to the last file written: the build measured is the
        // build that holds.
        let lock = try WorkDirLock(workDir: workDir)
        defer { lock.release() }
        // The training decided as `temper run` decides it (after an edit: the last training).
        let (report, current, ran) = try await pipeline.run(deciding: prepared, profilePath: profilePath, options: options, holding: lock)
        let logger = self.logger
        let result = try await BenchRun(progress: { logger.info("\($0)", metadata: ["stage": "bench"]) })
            .run(profile: ran.profile, workDir: workDir, graph: ran.graph, current: current, options: bench)
        let data = try JSONEncoder.temper.encode(result)
        let stamp = result.timestamp.replacingOccurrences(of: ":", with: "-")
        try AtomicFile.write(data, to: workDir.root + "/bench/history/\(stamp).json")
        try AtomicFile.write(data, to: BenchRecord.latest(workDir))
        var updated = report
        updated.bench = result
        try ReportBuilder.write(updated, to: workDir.reportFile)
        return result
    }
}
