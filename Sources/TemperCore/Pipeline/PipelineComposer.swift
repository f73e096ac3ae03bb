/// The stage graph of a profile: the only place that knows which stages exist, in which
/// order, and which stage's output feeds which stage. Stages get their inputs from here.
public enum PipelineComposer {
    public static func graph(for profile: PipelineProfile, toolchain: Toolchain, baseline: Bool, bolt: BoltTools? = nil) -> StageGraph {
        let optimize = BuildStage(variant: .optimize, profileFrom: .merge, profile: profile, toolchain: toolchain)
        let baselineStage = baseline ? BuildStage(variant: .baseline, profile: profile, toolchain: toolchain) : nil
        let ahead = ([optimize] + [baselineStage].compactMap { $0 }).filter(\.canConfigureAhead)
        let instrument = BuildStage(variant: .instrument, profile: profile, toolchain: toolchain, configuresAhead: ahead)
        var stages: [any Stage] = [
            instrument,
            TrainStage(id: .train, profile: profile, toolchain: toolchain, tree: instrument.tree),
            toolchain.family == .clang
                ? MergeStage(id: .merge, profile: profile, toolchain: toolchain, rawFrom: .train) as any Stage
                : GCCMergeStage(id: .merge, profile: profile, toolchain: toolchain, rawFrom: .train, instrumentedTree: instrument.tree),
            optimize,
        ]
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
        var install: StageID?
        if let settings = profile.install {
            stages.append(InstallStage(id: .install, profile: profile, settings: settings, optimize: optimize, producers: optimized))
            install = .install
        }
        if let baselineStage {
            stages.append(baselineStage)
        }
        return StageGraph(
            stages: stages, optimizedProducers: optimized, baselineProducer: baselineStage?.id, optimizedBuild: optimize.tree,
            profileData: .merge, boltResult: boltResult, installProducer: install)
    }

    /// The stages alone, in order.
    public static func stages(for profile: PipelineProfile, toolchain: Toolchain, baseline: Bool, bolt: BoltTools? = nil) -> [any Stage] {
        graph(for: profile, toolchain: toolchain, baseline: baseline, bolt: bolt).stages
    }
}
