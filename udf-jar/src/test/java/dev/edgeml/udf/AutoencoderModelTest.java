package dev.edgeml.udf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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

  @Test
  void leavingOutIdleUnitsChangesNoOutputBit() {
    TanhNetwork dense = model.denseNetwork();
    TanhNetwork scoring = model.network();
    assertEquals("[210, 50, 20, 50, 210]", Arrays.toString(dense.sizes()));
    // train.py lays a rank-13 linear autoencoder into the network and gives the other units zero weights.
    assertEquals("[210, 13, 13, 13, 210]", Arrays.toString(scoring.sizes()));
    TanhNetwork.Buffers denseBuffers = dense.newBuffers();
    TanhNetwork.Buffers scoringBuffers = scoring.newBuffers();
    double[] readings = new double[dense.inputSize()];
    int checked = 0;
    for (LabelledWindows.Window window : LabelledWindows.load()) {
      assertTrue(SensorInputParser.parse(window.sensorInput, readings));
      double[] input = model.transform(readings);
      double[] expected = dense.forward(input, denseBuffers);
      double[] actual = scoring.forward(input, scoringBuffers);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), "window " + window.eventId + " output " + i);
      }
      checked++;
    }
    assertTrue(checked > 100);
  }
}
