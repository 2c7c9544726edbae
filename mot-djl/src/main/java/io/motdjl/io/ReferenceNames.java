package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.PatchEncoder;
import io.motdjl.nn.ConvNoiseHead;
import io.motdjl.nn.ConvPatchAdapter;
import io.motdjl.nn.InputAdapter;
import io.motdjl.nn.MixtureOfExperts;
import io.motdjl.nn.MoTAttention;
import io.motdjl.nn.MoTFeedForward;
import io.motdjl.nn.MoTLayer;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.OutputHead;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.nn.PatchConvTranspose;
import io.motdjl.nn.PerModality;
import io.motdjl.nn.QkNorm;
import io.motdjl.nn.RmsNorm;
import io.motdjl.nn.SwiGlu;
import io.motdjl.nn.TimestepEmbedding;
import io.motdjl.nn.TokenEmbedding;
import io.motdjl.nn.VocabularyHead;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tensor names of the public reference implementation (PyTorch layout), mapped onto a {@link
 * MoTModel}'s parameters. The index in a name such as {@code local_experts_wq.{i}} or {@code
 * norm.{i}} is the parameter set's tower index: the modality id by default, the config's {@code
 * towers} entry when modalities share towers, and 0 for a tied component's one set.
 *
 * <p>Some parameters hold several reference tensors stacked along their first axis, so that the
 * forward pass runs one matmul where the reference runs several: the attention's {@code qkv} is
 * {@code wq, wk, wv}; a SwiGLU's {@code w13} is {@code w1, w3}; a mixture of experts stacks every
 * expert's {@code w1, w3} in one parameter and every {@code w2} in another. Each name is therefore
 * a {@link Slot}: a block of rows of one parameter. Checkpoints are split and joined here only,
 * never during a forward pass.
 */
public final class ReferenceNames {

    private ReferenceNames() {}

    /**
     * Where one reference tensor lives in the model.
     *
     * @param name the reference name
     * @param parameter the parameter holding it
     * @param rowOffset its first row along the parameter's first axis
     * @param rows how many rows of the parameter it takes
     * @param shape the tensor's shape in a checkpoint
     */
    public record Slot(String name, Parameter parameter, long rowOffset, long rows, Shape shape) {

        /** Whether the tensor is the whole parameter. */
        public boolean isWhole() {
            return rowOffset == 0 && rows == parameter.getShape().get(0);
        }

        private NDIndex index() {
            return new NDIndex(rowOffset + ":" + (rowOffset + rows));
        }

        /**
         * A copy of the tensor's current value, shaped as in a checkpoint, in the parameter's
         * manager.
         */
        public NDArray read() {
            return read(parameter.getArray().getManager());
        }

        /**
         * A copy of the tensor's current value, shaped as in a checkpoint, owned by {@code owner}.
         */
        public NDArray read(NDManager owner) {
            NDArray array = parameter.getArray();
            try (NDManager scratch = array.getManager().newSubManager()) {
                NDArray part = isWhole() ? array.duplicate() : array.get(index());
                part.attach(scratch);
                NDArray shaped = part.reshape(shape).duplicate();
                shaped.attach(owner);
                return shaped;
            }
        }

        /** The tensor's part of the parameter's gradient, shaped as in a checkpoint. */
        public NDArray gradient() {
            NDArray gradient = parameter.getArray().getGradient();
            NDArray part = isWhole() ? gradient : gradient.get(index());
            return part.reshape(shape);
        }

        /**
         * Overwrites the tensor's rows of the parameter in place with {@code value} (same size).
         */
        public void write(NDArray value) {
            if (value.size() != shape.size()) {
                throw new IllegalArgumentException(
                        name
                                + " has shape "
                                + shape
                                + ", got a value of shape "
                                + value.getShape());
            }
            Shape partShape = new Shape(rows).addAll(parameter.getShape().slice(1));
            NDArray array = parameter.getArray();
            NDArray converted = value.toType(array.getDataType(), false).reshape(partShape);
            array.set(index(), converted);
        }
    }

    /**
     * Every reference tensor of {@code model} by name, in a stable order.
     *
     * @param model the model (initialised or not: the shapes come from the config)
     * @return reference name to slot
     * @throws IllegalArgumentException if a block has no reference names (a custom adapter, head or
     *     feed-forward)
     */
    public static Map<String, Slot> of(MoTModel model) {
        MoTConfig c = model.config();
        long d = c.dim();
        long inner = (long) c.nHeads() * c.headDim();
        Map<String, Slot> names = new LinkedHashMap<>();
        for (InputAdapter adapter : model.inputAdapters()) {
            if (adapter instanceof TokenEmbedding embedding) {
                whole(
                        names,
                        "tok_embeddings.weight",
                        embedding.weight(),
                        new Shape(c.vocabSize(), d));
            } else if (adapter instanceof PatchAdapter patches) {
                long p = patches.patchSize();
                linear(names, "image_adapter.patch_projection.", patches.projection(), d, p);
                TimestepEmbedding time = patches.timestepEmbedding();
                linear(names, "image_adapter.timestep_embedding.linear_1.", time.first(), d, d);
                linear(names, "image_adapter.timestep_embedding.linear_2.", time.second(), d, d);
            } else if (adapter instanceof ConvPatchAdapter conv) {
                long ch = conv.channels();
                long k = PatchEncoder.CONV_KERNEL_SIDE;
                long p = conv.patchSide();
                conv(names, "image_adapter.conv_in.", conv.convIn(), new Shape(ch, 1, k, k));
                conv(names, "image_adapter.conv_mid.", conv.convMid(), new Shape(ch, ch, k, k));
                conv(names, "image_adapter.patchify.", conv.patchify(), new Shape(d, ch, p, p));
                TimestepEmbedding time = conv.timestepEmbedding();
                linear(names, "image_adapter.timestep_embedding.linear_1.", time.first(), d, d);
                linear(names, "image_adapter.timestep_embedding.linear_2.", time.second(), d, d);
            } else {
                throw new IllegalArgumentException(
                        "the input adapter " + adapter + " has no reference tensor names");
            }
        }
        List<MoTLayer> layers = model.layers();
        for (int l = 0; l < layers.size(); l++) {
            String layer = "layers." + l + ".";
            MoTAttention att = layers.get(l).attention();
            String a = layer + "attention.";
            norms(names, layer + "attention_norm.%d.weight", att.inputNorm());
            for (int t = 0; t < att.qkv().numTowers(); t++) {
                Parameter qkv = weightOf(att.qkv().tower(t));
                part(names, a + "local_experts_wq." + t + ".weight", qkv, 0, new Shape(inner, d));
                part(
                        names,
                        a + "local_experts_wk." + t + ".weight",
                        qkv,
                        inner,
                        new Shape(inner, d));
                part(
                        names,
                        a + "local_experts_wv." + t + ".weight",
                        qkv,
                        2 * inner,
                        new Shape(inner, d));
            }
            for (int t = 0; t < att.wo().numTowers(); t++) {
                whole(
                        names,
                        a + "local_experts_wo." + t + ".weight",
                        weightOf(att.wo().tower(t)),
                        new Shape(d, inner));
            }
            if (att.qkNorm() != null) {
                Shape hd = new Shape(c.headDim());
                for (int t = 0; t < att.qkNorm().numTowers(); t++) {
                    QkNorm norm = att.qkNorm().tower(t);
                    whole(
                            names,
                            a + "local_experts_q_normalization." + t + ".weight",
                            norm.queryWeight(),
                            hd);
                    whole(
                            names,
                            a + "local_experts_k_normalization." + t + ".weight",
                            norm.keyWeight(),
                            hd);
                }
            }
            norms(names, a + "local_experts_attention_norm.%d.weight", att.outputNorm());
            MoTFeedForward ffn = layers.get(l).feedForward();
            String f = layer + "feed_forward.";
            norms(names, layer + "ffn_norm.%d.weight", ffn.inputNorm());
            for (int t = 0; t < ffn.experts().numTowers(); t++) {
                String e = f + "local_experts." + t + ".";
                Block block = ffn.experts().tower(t);
                if (block instanceof SwiGlu swiGlu) {
                    swiGlu(
                            names,
                            e,
                            weightOf(swiGlu.w13()),
                            weightOf(swiGlu.w2()),
                            0,
                            swiGlu.hidden(),
                            d);
                } else if (block instanceof MixtureOfExperts moe) {
                    int experts = moe.settings().experts();
                    whole(
                            names,
                            e + "router.weight",
                            weightOf(moe.router()),
                            new Shape(experts, d));
                    for (int x = 0; x < experts; x++) {
                        swiGlu(
                                names,
                                e + "experts." + x + ".",
                                moe.stackedW13(),
                                moe.stackedW2(),
                                x,
                                moe.hidden(),
                                d);
                    }
                } else {
                    throw new IllegalArgumentException(
                            "no reference names for the feed-forward " + block + " of layer " + l);
                }
            }
            norms(names, f + "local_experts_ffn_norm.%d.weight", ffn.outputNorm());
        }
        norms(names, "norm.%d.weight", model.trunk().norm());
        for (OutputHead head : model.outputHeads()) {
            if (head instanceof VocabularyHead vocabulary) {
                whole(names, "output.weight", vocabulary.weight(), new Shape(c.vocabSize(), d));
            } else if (head instanceof NoiseHead noise) {
                linear(names, "image_head.projection.", noise.projection(), noise.outputWidth(), d);
            } else if (head instanceof ConvNoiseHead conv) {
                long ch = conv.channels();
                long k = PatchEncoder.CONV_KERNEL_SIDE;
                long p = conv.patchSide();
                // PyTorch's ConvTranspose2d layout: weight [in, out, kH, kW], bias [out]
                PatchConvTranspose up = conv.unpatchify();
                whole(names, "image_head.unpatchify.weight", up.weight(), new Shape(d, ch, p, p));
                whole(names, "image_head.unpatchify.bias", up.bias(), new Shape(ch));
                conv(names, "image_head.conv_mid.", conv.convMid(), new Shape(ch, ch, k, k));
                conv(names, "image_head.conv_out.", conv.convOut(), new Shape(1, ch, k, k));
            } else {
                throw new IllegalArgumentException(
                        "the output head " + head + " has no reference tensor names");
            }
        }
        return Collections.unmodifiableMap(names);
    }

    /** A projection with bias, {@code weight [out, in]} and {@code bias [out]}. */
    private static void linear(
            Map<String, Slot> names, String prefix, Linear linear, long out, long in) {
        whole(names, prefix + "weight", linear.getParameters().get("weight"), new Shape(out, in));
        whole(names, prefix + "bias", linear.getParameters().get("bias"), new Shape(out));
    }

    /** A convolution with bias, {@code weight [out, in, kH, kW]} and {@code bias [out]}. */
    private static void conv(Map<String, Slot> names, String prefix, Conv2d conv, Shape weight) {
        whole(names, prefix + "weight", conv.getParameters().get("weight"), weight);
        whole(names, prefix + "bias", conv.getParameters().get("bias"), new Shape(weight.get(0)));
    }

    /**
     * The {@code w1}, {@code w3} and {@code w2} of SwiGLU number {@code index} in parameters that
     * stack such SwiGLUs: {@code w13 [n·2F, D]}, {@code w2 [n·D, F]} (a plain SwiGLU is number 0 of
     * one).
     */
    private static void swiGlu(
            Map<String, Slot> names,
            String prefix,
            Parameter w13,
            Parameter w2,
            long index,
            long hidden,
            long d) {
        long first = index * 2 * hidden;
        part(names, prefix + "w1.weight", w13, first, new Shape(hidden, d));
        part(names, prefix + "w3.weight", w13, first + hidden, new Shape(hidden, d));
        part(names, prefix + "w2.weight", w2, index * d, new Shape(d, hidden));
    }

    /** The weight of a bias-free projection. */
    private static Parameter weightOf(Linear linear) {
        return linear.getParameters().get("weight");
    }

    private static void whole(Map<String, Slot> names, String name, Parameter p, Shape shape) {
        names.put(name, new Slot(name, p, 0, shape.get(0), shape));
    }

    private static void part(
            Map<String, Slot> names, String name, Parameter p, long offset, Shape shape) {
        names.put(name, new Slot(name, p, offset, shape.get(0), shape));
    }

    private static void norms(Map<String, Slot> names, String pattern, PerModality<RmsNorm> norms) {
        if (norms == null) {
            return;
        }
        for (int t = 0; t < norms.numTowers(); t++) {
            RmsNorm norm = norms.tower(t);
            whole(
                    names,
                    String.format(Locale.ROOT, pattern, t),
                    norm.weight(),
                    new Shape(norm.width()));
        }
    }
}
