package dev.edgeml.udf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AutoencoderModelTest {
  private final AutoencoderModel model = AutoencoderModel.loadBundled();

  @Test
  void fastForwardPassReconstructsAsGenmodelDoes() {
    AutoencoderModel.Workspace workspace = model.newWorkspace();
    int checked = 0;
    for (LabelledWindows.Window window : LabelledWindows.load()) {
      assertTrue(SensorInputParser.parse(window.sensorInput, workspace.readings));
      double[] input = model.transform(workspace.readings);
      double[] expected = model.genmodelReconstruction(input);
      model.reconstructionError(workspace);
      assertArrayEquals(expected, workspace.network.output(), 1e-9, "window " + window.carId + "/" + window.eventId);
      checked++;
    }
    assertTrue(checked > 100);
  }
}
