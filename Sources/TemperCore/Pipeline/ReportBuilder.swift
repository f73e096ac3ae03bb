import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
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
                path: merge.output(.profileData).map(workDir.absolute),
                warnings: (optimize?.counts ?? [:]).filter { !CompileCacheStats.countKeys.contains($0.key) },
                warningsByFile: byFile,
                hottest: merge.output(.hottestFunctions).flatMap { FileManager.default.contents(atPath: workDir.absolute($0)) }
                    .flatMap { try? JSONDecoder().decode([HotFunction].self, from: $0) })
            profileData?.missingByFile = optimize?.output(.profileMissing).flatMap { FileManager.default.contents(atPath: workDir.absolute($0)) }
                .flatMap { try? JSONDecoder().decode([MissingFunctions].self, from: $0) }
        }
        let bolt = graph.boltResult.flatMap { current[$0]?.output(.boltReport) }
            .flatMap { FileManager.default.contents(atPath: workDir.absolute($0)) }
            .flatMap { try? JSONDecoder().decode(BoltSummary.self, from: $0) }
        var cache: [String: CompileCacheStats] = [:]
        for (id, record) in current where record.counts["compile_cache_hits"] != nil {
            cache[id.rawValue] = CompileCacheStats(counts: record.counts)
        }
        var report = RunReport(
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
            artifacts: published.optimized.map { parity(artifact($0), plain: current[graph.optimizedBuild.stage], graph: graph, profile: prepared.profile, workDir: workDir) },
            baselineArtifacts: published.baseline.map(artifact),
            bolt: bolt, bench: BenchRecord.current(workDir, current: current))
        report.compileCache = cache.isEmpty ? nil : cache
        report.training = prepared.trainingReused
        report.decidedBy = prepared.decision.map { "decision file \($0.path) (variant \($0.decision.variant), by temper tune on \($0.decision.machine.host))" }
        report.staleness = staleness(graph: graph, current: current, workDir: workDir, boltArtifacts: prepared.profile.boltArtifacts.map(\.name), bolt: bolt)
        return report
    }

    /// The staleness section, when the profile came from a bundle: the import stage's source
    /// comparison, the optimize build's profile warnings, and BOLT's matching per artifact.
    static func staleness(graph: StageGraph, current: [StageID: StageRecord], workDir: WorkDir, boltArtifacts: [String], bolt: BoltSummary?) -> Staleness? {
        func decode<T: Decodable>(_ type: T.Type, _ record: StageRecord?, _ name: OutputName) -> T? {
            record?.output(name).flatMap { FileManager.default.contents(atPath: workDir.absolute($0)) }.flatMap { try? JSONDecoder().decode(T.self, from: $0) }
        }
        let imported = current[graph.profileData]
        guard let sources = decode(Staleness.Sources.self, imported, .sourceStaleness) else { return nil }
        var staleness = Staleness(sources: sources)
        if let mismatches = decode(ProfileMismatches.self, current[graph.optimizedBuild.stage], .profileMismatches) {
            let hot = imported?.output(.hotFunctionList).flatMap { try? String(contentsOfFile: workDir.absolute($0), encoding: .utf8) }
                .map { $0.split(separator: "\n").map(String.init) } ?? []
            let mismatched = Set(mismatches.hashMismatch)
            staleness.functionsHashMismatch = mismatches.hashMismatch.count
            staleness.functionsNoData = mismatches.noData.count
            staleness.functionsApplied = max(0, (imported?.counts["functions"] ?? 0) - mismatches.hashMismatch.count)
            staleness.hashMismatchNames = Array(mismatches.hashMismatch.prefix(100))
            staleness.noDataNames = Array(mismatches.noData.prefix(100))
            let matched = hot.filter { !mismatched.contains($0) }.count
            staleness.hotFunctionsMatched = matched
            staleness.hotMatchedPercent = hot.isEmpty ? nil : (1000 * Double(matched) / Double(hot.count)).rounded() / 10
        }
        if let bolt {
            // bolt-optimize's own account (its typed output), never its log names or step labels.
            staleness.bolt = boltArtifacts.map { name in
                let report = bolt.artifacts.first { $0.name == name }
                let matching = (profiled: report?.functionsWithProfile, stale: report?.functionsStale, inferred: report?.functionsInferred)
                let inferred = report?.inferStaleProfile ?? false
                // bolt-optimize infers exactly when the bundle names the recorded binary (with its
                // YAML profile) and this build's differs; without that record, nobody knows.
                let recordsBinary = imported?.outputs.keys.contains { $0.hasSuffix("/\(name).binary") } ?? false
                return Staleness.BoltMatch(
                    artifact: name, binaryChanged: recordsBinary ? inferred : nil, inferStaleProfile: inferred, functionsWithProfile: matching.profiled,
                    functionsStale: matching.stale, functionsInferred: matching.inferred)
            }
        }
        return staleness
    }

    static func artifact(_ published: ArtifactPublisher.Published) -> RunReport.Artifact {
        var artifact = RunReport.Artifact(name: published.name, path: published.path, bytes: published.bytes, sha256: published.sha256, stage: published.stage)
        artifact.hardening = ELFFile(path: published.path)?.hardening
        return artifact
    }

    /// The parity check: a published artifact against the same artifact of the plain build of
    /// this profile (optimize). The plain build holds by definition; a BOLTed one holds, or
    /// lacks only what the profile accepts (non-PIE with `[bolt] accept_non_pie`).
    static func parity(_ artifact: RunReport.Artifact, plain: StageRecord?, graph: StageGraph, profile: PipelineProfile, workDir: WorkDir) -> RunReport.Artifact {
        var artifact = artifact
        guard let hardening = artifact.hardening else { return artifact }
        if artifact.stage == graph.optimizedBuild.stage.rawValue, graph.boltInput != graph.optimizedBuild {
            artifact.hardeningParity = "holds"
            return artifact
        }
        guard let path = plain?.output(.artifact(artifact.name)), let reference = ELFFile(path: workDir.absolute(path))?.hardening else { return artifact }
        let lost = hardening.lost(against: reference)
        // What is lost beyond what the profile accepts (a non-PIE result, `[bolt] accept_non_pie`).
        let unaccepted = hardening.lost(against: reference, comparePIE: !profile.bolt.acceptNonPIE)
        let accepted = lost.count > unaccepted.count ? hardening.accepted(against: reference) : []
        artifact.hardeningParity = lost.isEmpty ? "holds" : unaccepted.isEmpty ? "accepted" : "weaker"
        artifact.hardeningNotes = lost.isEmpty ? nil : (accepted + unaccepted)
        return artifact
    }

    public static func write(_ report: RunReport, to path: String) throws {
        try AtomicFile.write(try JSONEncoder.temper.encode(report), to: path)
    }
}
