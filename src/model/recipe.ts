/**
 * microGPT's recipe defaults (docs/architecture.md), in one place for the model, the
 * reports and the CLI's option defaults. Data only, so the CLI can read it at
 * start-up without loading the engine.
 */
export const RECIPE = {
  seed: 42,
  steps: 1000,
  learningRate: 0.01,
  /** Sampling temperature (Karpathy's microgpt). */
  temperature: 0.5,
  /** Names drawn after training, to show what the model learned. */
  samplesAfterTraining: 8,
  /** Steps averaged for the smoothed "recent loss" after training. */
  recentLossWindow: 100,
} as const;
