/**
 * tfjs-core registers no gradient functions by itself (the `@tensorflow/tfjs` union package does, and this
 * project does not use it): without this import every tf.variableGrads fails with "gradient function not
 * found for Add". The gradient registry, like the engine, is global to the process (shared by every copy of
 * tfjs-core, e.g. a bundled one and the CommonJS one select-backend loads), so importing it once is enough.
 *
 * These are tfjs-core's ES module sources with extensionless imports, which plain Node cannot load: they must
 * be bundled (Vitest and Vite do; electron-vite must not externalise them for the trainer's entry). `flags`
 * comes first so that a bundled copy has the DEBUG flag registerGradient reads before any engine exists.
 */
import '@tensorflow/tfjs-core/dist/flags';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
