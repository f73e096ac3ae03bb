import Foundation
import Testing
import TemperModel
import TemperSystem
import TemperCore

/// `temper tune` end to end on the demo, then the decision applied in two work dirs at
/// different paths: no selection rounds, the same bytes, and the bytes tune measured.
@Suite(.serialized) struct TuneIntegrationTests {
    @Test func tuneDecidesOnceAndTheDecisionReproducesTheBytes() async throws {
        let sandbox = try DemoSandbox()
        let tuneDir = sandbox.root + "/tune"
        let (status, output) = try await Temper.run(["tune", sandbox.profile, "--workdir", tuneDir, "--budget", "75s", "--jobs", "2", "--json"])
        #expect(status == 0, "\(output)")
        let result = try JSONDecoder().decode(TuneResult.self, from: Data(contentsOf: URL(fileURLWithPath: tuneDir + "/tune.json")))
        // The default matrix: the PIE reference, the non-PIE build and the BOLT flag sets.
        #expect(result.reference == "pgo-lto" && result.variants.count >= 3)
        #expect(result.variants.map(\.name).starts(with: ["pgo-lto", "pgo-lto-nopie", "bolt-default"]))
        for variant in result.variants where variant.built {
            let counters = try #require(variant.counters, "\(variant.name) was not counted")
            #expect(counters.first.instructions > 0 && counters.first.i1Misses > 0 && counters.first.branchMispredicts > 0)
            // The demo is single-threaded: both counts agree.
            #expect(!counters.noisy, "\(variant.name): \(counters)")
            #expect(variant.samples.count == result.rounds)
            // One number per variant too, for readers of the JSON.
            #expect(variant.instructions == counters.first.instructions && variant.i1Misses == counters.first.i1Misses)
            #expect(variant.ratio != nil)
            if variant.name != result.reference {
                let ratio = try #require(variant.ratio, "\(variant.name) has no ratio")
                #expect(ratio.low <= ratio.value && ratio.value <= ratio.high && variant.verdict == ratio.verdict)
            }
        }
        let aa = try #require(result.aa)
        #expect(aa.low <= aa.value && aa.value <= aa.high && aa.falseAlarm == !(aa.low <= 1 && 1 <= aa.high))
        #expect(result.rounds >= 5 && result.hardwareCounters.hasPrefix("unavailable") || result.hardwareCounters.hasPrefix("available"))
        #expect(FileManager.default.fileExists(atPath: tuneDir + "/tune.md"))
        let decision = try JSONDecoder().decode(TuneDecision.self, from: Data(contentsOf: URL(fileURLWithPath: result.decision.file)))
        #expect(decision.variant == result.decision.variant && decision.profile == "demo")

        // The decision, applied in two work dirs at different paths: nothing measured, same bytes.
        var artifacts: [String] = []
        for workDir in [sandbox.root + "/first", sandbox.root + "/elsewhere/second"] {
            let (runStatus, runOutput) = try await Temper.run(["run", sandbox.profile, "--decision", result.decision.file, "--workdir", workDir, "--jobs", "2"])
            #expect(runStatus == 0, "\(runOutput)")
            #expect(!runOutput.contains("selection: round"), "a pinned decision measured:\n\(runOutput)")
            let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: workDir + "/report.json")))
            #expect(report.decidedBy?.contains(result.decision.file) == true)
            if decision.boltFlags != nil {
                #expect(report.bolt?.selection?.published != nil && report.bolt?.selection?.rounds == 0)
            } else {
                #expect(report.bolt == nil)
            }
            artifacts.append(try #require(report.artifacts.first?.sha256))
        }
        #expect(artifacts[0] == artifacts[1])
        // A bundle exported from a decided build carries the decision: a third machine building
        // from it (no --decision) applies it and publishes the same bytes.
        let bundle = sandbox.root + "/decided.bundle"
        let (exported, exportOutput) = try await Temper.run(["bundle", "export", "--workdir", sandbox.root + "/first", "-o", bundle])
        #expect(exported == 0, "\(exportOutput)")
        #expect(try ProfileBundle.read(path: bundle).manifest.decision == BundleManifest.decisionFile)
        let third = sandbox.root + "/third"
        let (thirdStatus, thirdOutput) = try await Temper.run(["run", sandbox.profile, "--profile-bundle", bundle, "--workdir", third, "--jobs", "2"])
        #expect(thirdStatus == 0, "\(thirdOutput)")
        let thirdReport = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: third + "/report.json")))
        #expect(thirdReport.decidedBy?.contains("carried by the bundle") == true)
        #expect(thirdReport.artifacts.first?.sha256 == artifacts[0])
        // Those are the bytes tune measured for the chosen variant.
        if let set = decision.settings.bolt {
            let trees = try FileManager.default.contentsOfDirectory(atPath: tuneDir + "/pipelines").filter { $0.hasPrefix("bolt-") }
            let tree = set == "default" ? "tree" : "tree-" + set
            let measured = trees.compactMap { FileDigest.sha256(of: tuneDir + "/pipelines/\($0)/stages/bolt-optimize/\(tree)/tl") }
            #expect(measured.contains(artifacts[0]))
        }
        // The tune's own bundle (its training, with the decision inside): another machine builds
        // the measured bytes from it without training or measuring.
        let decisionBundle = try #require(result.decision.bundle)
        let fourth = sandbox.root + "/fourth"
        let (fourthStatus, fourthOutput) = try await Temper.run(["run", sandbox.profile, "--profile-bundle", decisionBundle, "--workdir", fourth, "--jobs", "2"])
        #expect(fourthStatus == 0, "\(fourthOutput)")
        let fourthReport = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: fourth + "/report.json")))
        #expect(fourthReport.artifacts.first?.sha256 == artifacts[0] && fourthReport.decidedBy?.contains("carried by the bundle") == true)
        // A decision made for another profile is refused before anything is made.
        let other = try sandbox.writeRaw(name: "other.toml", try String(contentsOfFile: sandbox.profile, encoding: .utf8).replacingOccurrences(of: "name = \"demo\"", with: "name = \"other\""))
        let (refused, message) = try await Temper.run(["run", other, "--decision", result.decision.file, "--workdir", sandbox.root + "/refused"])
        #expect(refused == 2 && message.contains("was made for the profile `demo`"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/refused"))
    }

    /// A one-row matrix: the reference and its A/A copy only, wall time only (the A/A script's
    /// case). A [tune] with settings only would measure the default matrix instead.
    @Test func aOneRowMatrixMeasuresTheAARowAlone() async throws {
        let sandbox = try DemoSandbox()
        let text = try String(contentsOfFile: sandbox.profile, encoding: .utf8) + "\n[tune]\nreference = \"plain\"\n[[tune.variant]]\nname = \"plain\"\npie = true\n"
        let profile = try sandbox.writeRaw(name: "aa.toml", text)
        let tuneDir = sandbox.root + "/aa-tune"
        let (status, output) = try await Temper.run(["tune", profile, "--workdir", tuneDir, "--no-counters", "--jobs", "2"])
        #expect(status == 0, "\(output)")
        let result = try JSONDecoder().decode(TuneResult.self, from: Data(contentsOf: URL(fileURLWithPath: tuneDir + "/tune.json")))
        #expect(result.variants.map(\.name) == ["plain"] && result.decided && result.rounds == 5)
        #expect(result.aa != nil && result.variants[0].counters == nil && result.countersWorkload == nil)
        #expect(result.decision.variant == "plain")
        // No BOLT build in this matrix: the decision runs no BOLT stage.
        let decision = try JSONDecoder().decode(TuneDecision.self, from: Data(contentsOf: URL(fileURLWithPath: result.decision.file)))
        #expect(decision.boltFlags == nil)
    }
}
