import Foundation
import Testing
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

    @Test func htmlEscapesNames() {
        #expect(ReportRenderer.escape("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;")
    }
}
