import Foundation
import Testing
import TemperModel
import TemperSystem
import TemperCore

/// CS-IRPGO on the real toolchain: the demo trained twice, the context-sensitive profile merged
/// with the IR one, and the optimize build using it.
@Suite(.serialized) struct ContextSensitivePGOIntegrationTests {
    @Test func theDemoBuildsWithAContextSensitiveProfile() async throws {
        let sandbox = try DemoSandbox()
        let text = try String(contentsOfFile: sandbox.profile, encoding: .utf8).replacingOccurrences(of: "pgo = \"ir\"", with: "pgo = \"cs-ir\"")
        let profile = try sandbox.writeRaw(name: "cs.toml", text)
        var options = PipelineRun.Options(jobs: 2)
        options.bolt = false
        let report = try await sandbox.run(profile, options: options)
        #expect(report.stages.map(\.name) == ["instrument", "train", "merge", "cs-instrument", "cs-train", "cs-merge", "optimize"])
        #expect(report.stages.allSatisfy { $0.outcome == .executed })
        #expect(report.profileData?.path?.contains("/stages/cs-merge/") == true)
        // The merged profile holds context-sensitive records (only `show --showcs` lists them).
        let llvm = try await TestLLVM.find()
        let shown = try Temper.output(of: llvm.tool("llvm-profdata"), ["show", "--showcs", try #require(report.profileData?.path)])
        let functions = shown.split(separator: "\n").first { $0.hasPrefix("Total functions:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(functions > 0, "\(shown)")
        // The optimized binary runs the bench script like the IR PGO one.
        let output = try Temper.output(of: try #require(report.artifacts.first?.path), [sandbox.source + "/scripts/fib.tl", "3"])
        #expect(output.contains("checksum"))
    }
}
