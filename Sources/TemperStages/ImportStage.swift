import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Takes a profile bundle's place for instrument, train and merge (and the BOLT training
/// stages): unpacks its `.profdata` (content-addressed, as merge writes it) and its BOLT
/// profiles, and records how the current sources differ from the ones it was trained on.
/// Its fingerprint is the bundle's SHA-256: a new bundle rebuilds, the same one reuses.
public struct ImportStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let toolchain: Toolchain
    /// The bundle file and its digest, as read when the run was prepared.
    let bundlePath: String
    let bundleDigest: String

    public init(id: StageID = .bundleImport, profile: PipelineProfile, toolchain: Toolchain, bundlePath: String, bundleDigest: String) {
        self.id = id
        self.profile = profile
        self.toolchain = toolchain
        self.bundlePath = bundlePath
        self.bundleDigest = bundleDigest
    }

    public var consumes: [StageID] { [] }

    /// The BOLT profiles (`NAME.fdata`, `NAME.yaml`, `NAME.dispatch`, `NAME.binary`), for the composer to wire.
    public var boltProfiles: StageOutputPath { StageOutputPath(id, "stages/\(id.rawValue)/bolt") }

    func unpacked(_ workDir: WorkDir) -> String { workDir.stageDirectory(id) + "/unpacked.profdata" }

    public func plan(_ context: PlanContext) throws -> Plan {
        let directory = context.workDir.stageDirectory(id)
        let inspect = ProfileInspection.commands(profdata: toolchain.profdata.path, file: unpacked(context.workDir), directory: directory)
        return Plan(bundleSHA256: bundleDigest, boltArtifacts: profile.bolt.enabled ? profile.boltArtifacts.map(\.name) : [], inspect: inspect)
    }

    /// The import, as a value: which bundle (by content), which BOLT profiles to take from
    /// it, and the commands that read the profile.
    public struct Plan: StagePlan {
        public var bundleSHA256: String
        public var boltArtifacts: [String]
        public var inspect: ProfileInspection.Commands

        public var steps: [PlanStep] { [PlanStep("show", inspect.show), PlanStep("covered", inspect.covered)] }

        public func mapCommands(_ transform: (Command) -> Command) -> Plan {
            var plan = self
            plan.inspect = .init(show: transform(inspect.show), covered: transform(inspect.covered))
            return plan
        }
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        let bundle = try ProfileBundle.read(path: bundlePath)
        guard bundle.sha256 == plan.bundleSHA256 else {
            throw StageError(stage: name, message: "the bundle \(bundlePath) changed while this run went on. Run again.")
        }
        let manifest = bundle.manifest
        try context.startFresh()
        let profdata = unpacked(workDir)
        try Data(bundle.files[manifest.profile.file]!).write(to: URL(fileURLWithPath: profdata))
        let inspection: ProfileInspection
        do {
            inspection = try await ProfileInspection.run(plan.inspect, runner: context.runner)
        } catch let failed as ProfileInspection.ShowFailed {
            throw StageError(stage: name, message: failed.description)
        }
        let summary = inspection.summary
        try Data(inspection.text.utf8).write(to: URL(fileURLWithPath: context.directory + "/summary.txt"))
        if let level = summary.level, level != profile.optimize.pgo.profileLevel {
            throw StageError(stage: name, message: "the bundle's profile is \(level == .ir ? "IR" : "front-end") instrumentation, but `[optimize] pgo` is \"\(profile.optimize.pgo.rawValue)\". Use a bundle made with the same setting.")
        }
        let hottest = context.directory + "/hottest.json"
        try JSONEncoder.temper.encode(summary.hottest).write(to: URL(fileURLWithPath: hottest))
        let executed = inspection.covered ?? []
        let hotList = context.directory + "/hot-functions.txt"
        try Data(executed.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: hotList))
        let addressed = context.directory + "/\(manifest.profile.sha256).profdata"
        try FileManager.default.moveItem(atPath: profdata, toPath: addressed)

        var outputs = [addressed, hottest, hotList]
        var boltCount = 0
        if !plan.boltArtifacts.isEmpty {
            let directory = boltProfiles.absolute(in: workDir)
            try workDir.makeDirectory(directory)
            for artifact in plan.boltArtifacts {
                guard let entry = manifest.bolt?.profiles.first(where: { $0.artifact == artifact }) else { continue }
                let base = directory + "/" + artifact
                try Data(bundle.files[entry.fdata]!).write(to: URL(fileURLWithPath: base + ".fdata"))
                try (entry.dispatch.flatMap { bundle.files[$0] } ?? Data()).write(to: URL(fileURLWithPath: base + ".dispatch"))
                outputs += [base + ".fdata", base + ".dispatch"]
                if let yaml = entry.yaml.flatMap({ bundle.files[$0] }), let binary = entry.binarySha256 {
                    try yaml.write(to: URL(fileURLWithPath: base + ".yaml"))
                    try Data((binary + "\n").utf8).write(to: URL(fileURLWithPath: base + ".binary"))
                    outputs += [base + ".yaml", base + ".binary"]
                }
                boltCount += 1
            }
        }

        // How the sources differ from the ones the bundle was trained on.
        guard let current = context.plan.shared["source"].flatMap({ SourceListing.load($0, in: workDir) }) else {
            throw StageError(stage: name, message: "internal error: the run recorded no listing of the current sources.")
        }
        let changes = current.changes(since: manifest.sources.files)
        let staleness = Staleness.Sources(
            bundleCreated: manifest.created, bundleSha256: bundle.sha256, bundleHost: manifest.host, bundleToolchain: "\(manifest.toolchain.compiler) \(manifest.toolchain.compilerVersion)",
            profileFormatVersion: manifest.toolchain.profileFormatVersion, sameSources: current.digest == manifest.sources.digest,
            filesChanged: changes.changed, filesAdded: changes.added, filesRemoved: changes.removed, hotFunctions: executed.count,
            boltSelectedCandidate: manifest.bolt?.selectedCandidate)
        let stalenessPath = context.directory + "/staleness.json"
        try JSONEncoder.temper.encode(staleness).write(to: URL(fileURLWithPath: stalenessPath))
        let manifestPath = context.directory + "/manifest.json"
        try JSONEncoder.temper.encode(manifest).write(to: URL(fileURLWithPath: manifestPath))
        outputs += [stalenessPath, manifestPath]

        var named: [String: String] = [:]
        named[output: .profileData] = workDir.relative(addressed)
        named[output: .hottestFunctions] = workDir.relative(hottest)
        named[output: .hotFunctionList] = workDir.relative(hotList)
        named[output: .sourceStaleness] = workDir.relative(stalenessPath)
        named[output: .bundleManifest] = workDir.relative(manifestPath)
        let counts: [String: Int] = [
            "functions": summary.functions ?? manifest.profile.functions, "functions_executed": executed.count,
            "total_count": summary.totalCount ?? manifest.profile.totalCount ?? 0, "max_count": summary.maxCount ?? 0,
            "source_files_changed": changes.changed.count, "source_files_added": changes.added.count, "source_files_removed": changes.removed.count,
            "bolt_profiles": boltCount,
        ]
        let sourceNote = staleness.sameSources
            ? "same sources" : "\(changes.changed.count) file(s) changed, \(changes.added.count) added, \(changes.removed.count) removed since the bundle"
        return StageResult(
            outputs: outputs, counts: counts, named: named,
            message: "profile from \(manifest.created) (\(manifest.toolchain.compiler) \(manifest.toolchain.compilerVersion)), \(summary.functions ?? 0) functions; \(sourceNote)")
    }
}
