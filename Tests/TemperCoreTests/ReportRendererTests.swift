import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// A fixed report.json gives the expected Markdown and HTML (golden files in Golden/). After an
/// intended change of the output, regenerate them with `UPDATE_GOLDEN=1 swift test --filter ReportRendererTests`.
@Suite struct ReportRendererTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func fixture() throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: Self.golden.appendingPathComponent("report.json")))
    }

    func compare(_ text: String, to name: String) throws {
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from the golden file")
    }

    @Test func markdownMatchesTheGoldenFile() throws {
        let text = try ReportRenderer.render(try fixture(), as: .md)
        #expect(text.hasPrefix("## temper: demo (succeeded)"))
        #expect(text.contains("| bolt-optimize |"))
        #expect(text.contains("### Benchmark"))
        // BOLT's candidates, and why none was published.
        #expect(text.contains("### BOLT candidates") && text.contains("| skip-dispatch | yes |") && text.contains("BOLT not kept"))
        try compare(text, to: "report.md")
    }

    @Test func htmlMatchesTheGoldenFileAndIsSelfContained() throws {
        let text = try ReportRenderer.render(try fixture(), as: .html)
        #expect(text.contains("<svg id=\"stage-timeline\""))
        #expect(text.contains("<svg id=\"speedup-chart\""))
        // Nothing to fetch: no scripts, stylesheets or sources from elsewhere (the SVG namespace URI is only a name).
        #expect(!text.contains("<script") && !text.contains("<link") && !text.contains("src=") && !text.contains("url("))
        try compare(text, to: "report.html")
    }

    @Test func jsonRoundTrips() throws {
        let report = try fixture()
        let again = try JSONDecoder().decode(RunReport.self, from: Data(try ReportRenderer.render(report, as: .json).utf8))
        #expect(again == report)
        // Scripts read how much of a stage a resumed run redid.
        #expect(report.stages.first { $0.name == "train" }?.counts?["tasks_reused"] == 0)
    }

    @Test func bundleStalenessAndCompileCacheAreShownInBothFormats() throws {
        var report = try fixture()
        var staleness = Staleness(sources: .init(
            bundleCreated: "2026-11-30T10:00:00Z", bundleSha256: "0123456789abcdef0123", bundleHost: "trainer", bundleToolchain: "clang 22.1.8",
            profileFormatVersion: 13, sameSources: false, filesChanged: ["lexer.c"], filesAdded: ["extra.c"], filesRemoved: [], hotFunctions: 15,
            boltSelectedCandidate: nil))
        staleness.hotFunctionsMatched = 14
        staleness.hotMatchedPercent = 93.3
        staleness.functionsHashMismatch = 1
        staleness.hashMismatchNames = ["lex_next"]
        staleness.bolt = [.init(artifact: "tl", binaryChanged: true, inferStaleProfile: true, functionsWithProfile: 17, functionsStale: 3, functionsInferred: 3)]
        report.staleness = staleness
        report.compileCache = ["optimize": CompileCacheStats(counts: ["compile_cache_hits": 9, "compile_cache_misses": 1, "compile_cache_remote_hits": 9])]
        let markdown = try ReportRenderer.render(report, as: .md)
        #expect(markdown.contains("### Profile bundle: profile from 2026-11-30, 93% of hot functions matched (1 file(s) changed, 1 added, 0 removed)"))
        #expect(markdown.contains("| hash mismatches | 1: lex_next |"))
        #expect(markdown.contains("| BOLT tl | binary changed, -infer-stale-profile; 17 functions with profile, 3 stale, 3 inferred |"))
        #expect(markdown.contains("| optimize | 9 | 1 | 9 | 0 | 90.0% |"))
        let html = try ReportRenderer.render(report, as: .html)
        #expect(html.contains("<h2>Compile cache</h2>") && html.contains("<td>1: lex_next</td>"))
        let again = try JSONDecoder().decode(RunReport.self, from: Data(try ReportRenderer.render(report, as: .json).utf8))
        #expect(again == report)
    }

    @Test func htmlEscapesNames() {
        #expect(ReportRenderer.escape("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;")
    }
}
