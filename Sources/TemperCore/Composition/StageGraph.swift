import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
/// A composed pipeline: its stages in order, and the roles the publisher, the report and
/// bench ask about (which stage's artifacts go to `out/`, where the profile data is).
public struct StageGraph: Sendable {
    public var stages: [any Stage]
    /// Stages whose artifacts may be published to `out/`, best first (BOLT, then PGO+LTO).
    public var optimizedProducers: [StageID]
    /// The stage whose artifacts go to `out/baseline/`, when the baseline is built.
    public var baselineProducer: StageID?
    /// The optimized build tree (where the artifacts that BOLT leaves alone live).
    public var optimizedBuild: StageOutputPath
    /// The build BOLT works on (bolt-build), when BOLT is on; its profiles name its binaries.
    public var boltInput: StageOutputPath?
    /// The stage that holds the merged profile data.
    public var profileData: StageID
    /// The stage that holds BOLT's account of its work, when BOLT is on.
    public var boltResult: StageID?
    /// The stage whose installed tree goes to `out/install`, when the profile has `[install]`.
    public var installProducer: StageID?

    /// The PGO training stage, the BOLT training stage and the merged BOLT profiles' stage.
    public var training: StageID?
    public var boltTraining: StageID?
    public var boltProfiles: StageID?
    /// The import stage, when the profile comes from a bundle.
    public var bundleImport: StageID?

    public var ids: [StageID] { stages.map(\.id) }

    /// The roles, as the run records them in state.json for readers of the work dir.
    public var roles: StageRoles {
        StageRoles(
            training: training, profileData: profileData, bundleImport: bundleImport, boltTraining: boltTraining, boltProfiles: boltProfiles,
            optimizedBuild: optimizedBuild.stage, boltResult: boltResult, boltInput: boltInput?.stage)
    }

    /// The records that hold for this run: the stage is part of this pipeline and it either
    /// executed now or its checkpoint was proven current (reused). A record left by an
    /// earlier run with other inputs or another pipeline (a BOLT stage after `--no-bolt`, a
    /// stage after `--to`) is never current.
    public func currentRecords(_ state: PipelineState, reports: [PipelineExecutor.StageReport]) -> [StageID: StageRecord] {
        var records: [StageID: StageRecord] = [:]
        for report in reports where report.isCurrent && ids.contains(report.id) {
            if let record = state.stages[report.id.rawValue], record.status == .completed, record.fingerprint == report.fingerprint {
                records[report.id] = record
            }
        }
        return records
    }
}
