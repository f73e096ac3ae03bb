import Foundation

/// Assembles report.json from the run's stage list, the records that hold for this run (never
/// a stale one) and the published artifacts.
public enum ReportBuilder {
    static func build(
        prepared: PipelineRun.Prepared, state: PipelineState, stages: [PipelineExecutor.StageReport], status: String, error: String?,
        published: (optimized: [ArtifactPublisher.Published], baseline: [ArtifactPublisher.Published])
    ) -> RunReport {
        let workDir = prepared.workDir
        let graph = prepared.graph
        let current = graph.currentRecords(state, reports: stages)
        var profileData: RunReport.ProfileData?
        if let merge = current[graph.profileData] {
            let optimize = current[graph.optimizedBuild.stage]
            let byFile = optimize?.output(.profileWarningsByFile)
                .flatMap { FileManager.default.contents(atPath: workDir.absolute($0)) }
                .flatMap { try? JSONDecoder().decode([String: [String: Int]].self, from: $0) }
            profileData = RunReport.ProfileData(
                functions: merge.counts["functions"], functionsExecuted: merge.counts["functions_executed"], totalCount: merge.counts["total_count"],
                maxCount: merge.counts["max_count"], rawProfiles: merge.counts["raw_profiles"],
                path: merge.output(.profileData).map(workDir.absolute), warnings: optimize?.counts ?? [:],
                warningsByFile: byFile,
                hottest: merge.output(.hottestFunctions).flatMap { FileManager.default.contents(atPath: workDir.absolute($0)) }
                    .flatMap { try? JSONDecoder().decode([HotFunction].self, from: $0) })
        }
        let bolt = graph.boltResult.flatMap { current[$0]?.output(.boltReport) }
            .flatMap { FileManager.default.contents(atPath: workDir.absolute($0)) }
            .flatMap { try? JSONDecoder().decode(BoltSummary.self, from: $0) }
        return RunReport(
            profile: prepared.profile.name, profileFile: prepared.profile.file, workdir: workDir.root,
            status: status, error: error,
            toolchain: Dictionary(prepared.toolchain.tools.map {
                (URL(fileURLWithPath: $0.path).lastPathComponent, RunReport.ToolEntry(path: $0.path, version: $0.version))
            }, uniquingKeysWith: { first, _ in first }),
            stages: stages.map {
                RunReport.StageEntry(
                    name: $0.name, outcome: $0.outcome, seconds: ($0.seconds * 1000).rounded() / 1000, fingerprint: $0.fingerprint, message: $0.message,
                    previousSeconds: $0.previousSeconds.map { ($0 * 1000).rounded() / 1000 },
                    counts: current[$0.id].flatMap { $0.counts.isEmpty ? nil : $0.counts })
            },
            profileData: profileData,
            artifacts: published.optimized.map(artifact), baselineArtifacts: published.baseline.map(artifact),
            bolt: bolt, bench: BenchSession.current(workDir, current: current))
    }

    static func artifact(_ published: ArtifactPublisher.Published) -> RunReport.Artifact {
        RunReport.Artifact(name: published.name, path: published.path, bytes: published.bytes, sha256: published.sha256, stage: published.stage)
    }

    public static func write(_ report: RunReport, to path: String) throws {
        try AtomicFile.write(try JSONEncoder.temper.encode(report), to: path)
    }
}
