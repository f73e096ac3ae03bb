import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
/// The stage graph of a profile: the only place that knows which stages exist, in which
/// order, and which stage's output feeds which stage. Stages get their inputs from here.
public enum PipelineComposer {
    /// A profile bundle that replaces the training stages, as read when the run was prepared.
    public struct BundleInput: Sendable {
        public var path: String
        public var sha256: String

        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// Every stage temper composes, in pipeline order: the one order, for `status` of any work
    /// dir and the stage names the CLI accepts. The graphs below list their stages in it.
    public static let stageOrder: [StageID] = [
        .bundleImport, .instrument, .train, .merge, .csInstrument, .csTrain, .csMerge, .optimize, .boltBuild, .boltInstrument, .boltTrain, .boltMerge, .boltOptimize, .install, .baseline,
    ]

    public static func graph(for profile: PipelineProfile, toolchain: Toolchain, baseline: Bool, bolt: BoltTools? = nil, bundle: BundleInput? = nil) -> StageGraph {
        if let bundle {
            return bundleGraph(for: profile, toolchain: toolchain, baseline: baseline, bolt: bolt, bundle: bundle)
        }
        // CS-IRPGO (clang): a context-sensitive instrumented build on the IR profile, trained and
        // merged with it; the optimize build reads that merge.
        let contextSensitive = profile.optimize.pgo == .csir && toolchain.family == .clang
        let profileStage: StageID = contextSensitive ? .csMerge : .merge
        let optimize = BuildStage(variant: .optimize, profileFrom: profileStage, profile: profile, toolchain: toolchain)
        let boltBuild = profile.bolt.enabled && bolt != nil ? BuildStage(variant: .boltBuild, profileFrom: profileStage, profile: profile, toolchain: toolchain) : nil
        let shipsPlain = boltBuild == nil || profile.bolt.plainBuild
        let baselineStage = baseline ? BuildStage(variant: .baseline, profile: profile, toolchain: toolchain) : nil
        let ahead = ((shipsPlain ? [optimize] : []) + [boltBuild, baselineStage].compactMap { $0 }).filter(\.canConfigureAhead)
        let instrument = BuildStage(variant: .instrument, profile: profile, toolchain: toolchain, configuresAhead: ahead)
        let train = TrainStage(id: .train, profile: profile, toolchain: toolchain, tree: instrument.tree)
        var stages: [any Stage] = [
            instrument,
            train,
            toolchain.family == .clang
                ? MergeStage(id: .merge, profile: profile, toolchain: toolchain, rawFrom: .train) as any Stage
                : GCCMergeStage(id: .merge, profile: profile, toolchain: toolchain, rawProfiles: train.rawProfiles, instrumentedTree: instrument.tree),
        ]
        if contextSensitive {
            let csInstrument = BuildStage(variant: .csInstrument, profileFrom: .merge, profile: profile, toolchain: toolchain)
            stages += [
                csInstrument,
                TrainStage(id: .csTrain, profile: profile, toolchain: toolchain, tree: csInstrument.tree),
                MergeStage(id: .csMerge, profile: profile, toolchain: toolchain, rawFrom: .csTrain, baseProfile: .merge),
            ]
        }
        var graph = withOptimized(
            stages, profile: profile, optimize: optimize, boltBuild: boltBuild, shipsPlain: shipsPlain, profileData: profileStage, baseline: baselineStage, bolt: bolt
        ) { boltBuild, bolt in
            var instrumented: StageOutputPath?
            var stages: [any Stage] = []
            if profile.bolt.mode == .instrument {
                let stage = BoltInstrumentStage(
                    id: .boltInstrument, profile: profile, bolt: bolt, input: boltBuild.tree, profileRoot: TrainStage.rawRoot(of: .boltTrain))
                instrumented = stage.output
                stages.append(stage)
            }
            let merge = BoltMergeStage(id: .boltMerge, profile: profile, bolt: bolt, rawFrom: .boltTrain)
            stages += [
                TrainStage(id: .boltTrain, boltTrainingFor: profile, tools: bolt, tree: boltBuild.tree, instrumented: instrumented),
                merge,
            ]
            return (stages, merge.output)
        }
        graph.training = train.id
        if graph.boltResult != nil {
            graph.boltTraining = .boltTrain
            graph.boltProfiles = .boltMerge
        }
        return graph
    }

    /// The optimized builds and what follows them, shared by both graphs: the plain optimize
    /// build (what ships without BOLT), and with BOLT its input build, the stages that profile
    /// it (`boltTraining`, which returns them and where the merged profiles are) and
    /// bolt-optimize, whose candidates must keep the plain build's hardening.
    static func withOptimized(
        _ stages: [any Stage], profile: PipelineProfile, optimize: BuildStage, boltBuild: BuildStage?, shipsPlain: Bool, profileData: StageID,
        baseline: BuildStage?, bolt: BoltTools?, boltTraining: (BuildStage, BoltTools) -> (stages: [any Stage], profiles: StageOutputPath)
    ) -> StageGraph {
        var stages = stages
        if shipsPlain { stages.append(optimize) }
        var optimized: [StageID] = shipsPlain ? [.optimize] : []
        var boltResult: StageID?
        if let boltBuild, let tools = bolt {
            stages.append(boltBuild)
            let training = boltTraining(boltBuild, tools)
            stages += training.stages
            stages.append(BoltOptimizeStage(
                id: .boltOptimize, profile: profile, bolt: tools, input: boltBuild.tree, profiles: training.profiles, reference: shipsPlain ? optimize.tree : nil))
            optimized.insert(.boltOptimize, at: 0)
            boltResult = .boltOptimize
        }
        // Without a plain build (tune's candidates), BOLT's input stands for the PGO+LTO build.
        let tree = shipsPlain ? optimize.tree : (boltBuild ?? optimize).tree
        var graph = finished(stages, profile: profile, optimize: optimize, optimized: optimized, boltResult: boltResult, profileData: profileData, baseline: baseline)
        graph.optimizedBuild = tree
        graph.boltInput = boltResult == nil ? nil : boltBuild?.tree
        return graph
    }

    /// The end both graphs share: install (with `[install]`) after the optimized builds, then
    /// the baseline, and the roles the rest of temper asks about.
    static func finished(
        _ stages: [any Stage], profile: PipelineProfile, optimize: BuildStage, optimized: [StageID], boltResult: StageID?, profileData: StageID,
        baseline: BuildStage?
    ) -> StageGraph {
        var stages = stages
        var install: StageID?
        if let settings = profile.install {
            stages.append(InstallStage(id: .install, profile: profile, settings: settings, optimize: optimize.recipe, producers: optimized))
            install = .install
        }
        if let baseline {
            stages.append(baseline)
        }
        return StageGraph(
            stages: stages, optimizedProducers: optimized, baselineProducer: baseline?.id, optimizedBuild: optimize.tree,
            profileData: profileData, boltResult: boltResult, installProducer: install)
    }

    /// The stages a bundle's import stage stands for: options naming them do not apply.
    public static let replacedByBundle: [StageID] = [.instrument, .train, .merge, .csInstrument, .csTrain, .csMerge, .boltInstrument, .boltTrain, .boltMerge]

    /// With a bundle, one import stage stands for instrument, train and merge and for the BOLT
    /// training stages; optimize and bolt-optimize build from what it unpacks.
    static func bundleGraph(for profile: PipelineProfile, toolchain: Toolchain, baseline: Bool, bolt: BoltTools?, bundle: BundleInput) -> StageGraph {
        let importStage = ImportStage(id: .bundleImport, profile: profile, toolchain: toolchain, bundlePath: bundle.path, bundleDigest: bundle.sha256)
        let optimize = BuildStage(variant: .optimize, profileFrom: importStage.id, profile: profile, toolchain: toolchain)
        let boltBuild = profile.bolt.enabled && bolt != nil ? BuildStage(variant: .boltBuild, profileFrom: importStage.id, profile: profile, toolchain: toolchain) : nil
        var graph = withOptimized(
            [importStage], profile: profile, optimize: optimize, boltBuild: boltBuild, shipsPlain: boltBuild == nil || profile.bolt.plainBuild,
            profileData: importStage.id, baseline: baseline ? BuildStage(variant: .baseline, profile: profile, toolchain: toolchain) : nil, bolt: bolt
        ) { _, _ in ([], importStage.boltProfiles) }
        graph.bundleImport = importStage.id
        if graph.boltResult != nil { graph.boltProfiles = importStage.id }
        return graph
    }

    /// The stages alone, in order.
    public static func stages(for profile: PipelineProfile, toolchain: Toolchain, baseline: Bool, bolt: BoltTools? = nil) -> [any Stage] {
        graph(for: profile, toolchain: toolchain, baseline: baseline, bolt: bolt).stages
    }
}
