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
        .bundleImport, .instrument, .train, .merge, .csInstrument, .csTrain, .csMerge, .optimize, .boltInstrument, .boltTrain, .boltMerge, .boltOptimize, .install, .baseline,
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
        let baselineStage = baseline ? BuildStage(variant: .baseline, profile: profile, toolchain: toolchain) : nil
        let ahead = ([optimize] + [baselineStage].compactMap { $0 }).filter(\.canConfigureAhead)
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
        stages.append(optimize)
        var optimized: [StageID] = [.optimize]
        var boltResult: StageID?
        if profile.bolt.enabled, let bolt {
            var instrumented: StageOutputPath?
            if profile.bolt.mode == .instrument {
                let stage = BoltInstrumentStage(
                    id: .boltInstrument, profile: profile, bolt: bolt, input: optimize.tree, profileRoot: TrainStage.rawRoot(of: .boltTrain))
                instrumented = stage.output
                stages.append(stage)
            }
            let merge = BoltMergeStage(id: .boltMerge, profile: profile, bolt: bolt, rawFrom: .boltTrain)
            stages += [
                TrainStage(id: .boltTrain, boltTrainingFor: profile, tools: bolt, tree: optimize.tree, instrumented: instrumented),
                merge,
                BoltOptimizeStage(id: .boltOptimize, profile: profile, bolt: bolt, input: optimize.tree, profiles: merge.output),
            ]
            optimized.insert(.boltOptimize, at: 0)
            boltResult = .boltOptimize
        }
        var graph = finished(stages, profile: profile, optimize: optimize, optimized: optimized, boltResult: boltResult, profileData: profileStage, baseline: baselineStage)
        graph.training = train.id
        if boltResult != nil {
            graph.boltTraining = .boltTrain
            graph.boltProfiles = .boltMerge
        }
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
        var stages: [any Stage] = [importStage, optimize]
        var optimized: [StageID] = [.optimize]
        var boltResult: StageID?
        if profile.bolt.enabled, let bolt {
            stages.append(BoltOptimizeStage(id: .boltOptimize, profile: profile, bolt: bolt, input: optimize.tree, profiles: importStage.boltProfiles))
            optimized.insert(.boltOptimize, at: 0)
            boltResult = .boltOptimize
        }
        var graph = finished(
            stages, profile: profile, optimize: optimize, optimized: optimized, boltResult: boltResult, profileData: importStage.id,
            baseline: baseline ? BuildStage(variant: .baseline, profile: profile, toolchain: toolchain) : nil)
        graph.bundleImport = importStage.id
        if boltResult != nil { graph.boltProfiles = importStage.id }
        return graph
    }

    /// The stages alone, in order.
    public static func stages(for profile: PipelineProfile, toolchain: Toolchain, baseline: Bool, bolt: BoltTools? = nil) -> [any Stage] {
        graph(for: profile, toolchain: toolchain, baseline: baseline, bolt: bolt).stages
    }
}
