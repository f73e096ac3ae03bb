import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// What a failed training task's message says about empty profile files: a task killed by a
/// signal (or stopped at its timeout) never ran its exit handlers, and the sandbox guesses would
/// send the user the wrong way; a task that exited is where those guesses belong.
@Suite struct TrainDiagnosisTests {
    let stage = TrainStage(profile: try! Fixtures.parse(Fixtures.minimalProfile), toolchain: Fixtures.toolchain, tree: StageOutputPath(.instrument, "stages/instrument/build"))
    let empty = ["/w/stages/train/raw/one/1.profraw"]

    func outcome(_ termination: ProcessOutcome.Termination) -> ProcessOutcome {
        ProcessOutcome(termination: termination, seconds: 1, logPath: "/w/logs/train-one.log")
    }

    @Test func aSignalExplainsEmptyProfiles() {
        for termination in [ProcessOutcome.Termination.signaled(6), .timedOut(seconds: 60)] {
            let text = stage.diagnosis(empty: empty, comparison: nil, failed: outcome(termination))
            #expect(text.contains("before its exit handlers ran") && text.contains(outcome(termination).statusDescription))
            #expect(!text.contains("sandboxes itself"))
        }
    }

    @Test func anExitWithEmptyProfilesListsTheLikelyCauses() {
        let text = stage.diagnosis(empty: empty, comparison: nil, failed: outcome(.exited(1)))
        #expect(text.contains("could not write at exit") && text.contains("sandboxes itself"))
        // A profile runtime that exits 0 without writing (no failure to point at) gets them too.
        #expect(stage.diagnosis(empty: empty, comparison: nil, failed: nil).contains("sandboxes itself"))
    }
}
