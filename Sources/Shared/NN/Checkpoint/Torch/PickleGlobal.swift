// The allow-list: the only classes and functions a checkpoint's pickle may name (GLOBAL,
// STACK_GLOBAL), each interpreted by this reader's own code when REDUCE, NEWOBJ or BUILD
// "calls" it. Nothing is looked up by name at run time and nothing is ever called; any other
// name is refused, naming it, unless the caller asked to record unknown objects as data.
import SharedSupport

/// A class or function a pickle may name.
enum PickleGlobal: Equatable {
    /// `collections.OrderedDict`: a dict (torch state dicts, backward hooks).
    case orderedDict
    /// `collections.Counter`: a dict (learning-rate scheduler milestones).
    case counter
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensor
    /// `torch._utils._rebuild_parameter(data, requires_grad, hooks)`: the tensor itself.
    case rebuildParameter
    /// `torch._utils._rebuild_parameter_with_state(data, requires_grad, hooks, state)`: the tensor.
    case rebuildParameterWithState
    /// `torch.FloatStorage`, ...: the element type of a storage in a persistent id.
    case storageType(TorchDType)
    /// `numpy.core.multiarray._reconstruct(ndarray, shape, dtype)`: an empty array BUILD fills.
    case numpyReconstruct
    /// `numpy.ndarray`: the class `_reconstruct` makes.
    case numpyArrayClass
    /// `numpy.dtype(code, align, copy)`: an element type BUILD completes.
    case numpyDType
    /// `numpy.core.multiarray.scalar(dtype, bytes)`: a numpy scalar (an int, float or bool).
    case numpyScalar
    /// `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)`: an array (pickle protocol 5).
    case numpyFromBuffer
    /// `_codecs.encode(text, "latin1")`: bytes in a protocol-2 pickle written by Python 3.
    case codecsEncode
    /// `builtins.bytes()`: empty bytes in a protocol-2 pickle.
    case emptyBytes
    /// Anything else, kept as a name (only when unknown objects are recorded).
    case unknown(String)

    /// The allow-list. numpy 2 moved `numpy.core` to `numpy._core`; Python 2 pickles name
    /// `__builtin__` where Python 3 has `builtins`.
    static let names: [String: PickleGlobal] = {
        var table: [String: PickleGlobal] = [
            "collections.OrderedDict": .orderedDict,
            "collections.Counter": .counter,
            "torch._utils._rebuild_tensor_v2": .rebuildTensor,
            "torch._utils._rebuild_parameter": .rebuildParameter,
            "torch._utils._rebuild_parameter_with_state": .rebuildParameterWithState,
            "torch.FloatStorage": .storageType(.float32),
            "torch.DoubleStorage": .storageType(.float64),
            "torch.HalfStorage": .storageType(.float16),
            "torch.BFloat16Storage": .storageType(.bfloat16),
            "torch.LongStorage": .storageType(.int64),
            "torch.IntStorage": .storageType(.int32),
            "torch.ShortStorage": .storageType(.int16),
            "torch.CharStorage": .storageType(.int8),
            "torch.ByteStorage": .storageType(.uint8),
            "torch.BoolStorage": .storageType(.bool),
            // torch.load reads an untyped storage as bytes.
            "torch.UntypedStorage": .storageType(.uint8),
            "torch.storage.UntypedStorage": .storageType(.uint8),
            "numpy.ndarray": .numpyArrayClass,
            "numpy.dtype": .numpyDType,
            "_codecs.encode": .codecsEncode,
            "builtins.bytes": .emptyBytes,
            "__builtin__.bytes": .emptyBytes,
        ]
        for package in ["numpy.core", "numpy._core"] {
            table[package + ".multiarray._reconstruct"] = .numpyReconstruct
            table[package + ".multiarray.scalar"] = .numpyScalar
            table[package + ".numeric._frombuffer"] = .numpyFromBuffer
        }
        return table
    }()

    /// The global `module.name`: an allowed one, else (recording unknown objects) a name, else refused.
    static func named(module: String, name: String, recordUnknown: Bool) throws -> PickleGlobal {
        let qualified = module + "." + name
        if let known = names[qualified] { return known }
        if recordUnknown { return .unknown(qualified) }
        throw ToolError("the pickle asks for \(qualified), which this reader does not allow: it reads tensors and plain data "
                        + "and never runs code from a checkpoint",
                        hint: "if the file is trusted, load it in Python and save its tensors alone again "
                        + "(torch.save({\"state_dict\": model.state_dict()}, PATH))")
    }
}
