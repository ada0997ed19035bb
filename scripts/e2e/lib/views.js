'use strict';
// View functions (`#[pallet::view_functions]`) called as a dApp without PAPI would: their ids,
// inputs and output types come from the runtime's metadata v16, the call is a `state_call` of
// `RuntimeViewFunction_execute_view_function(id, input)`. polkadot.js 16 decodes metadata v16
// but has no `api.view` yet; PAPI and subxt call view functions by name.

const { Metadata, TypeRegistry } = require('@polkadot/types');
const { u8aConcat, u8aToHex, compactToU8a, stringCamelCase } = require('@polkadot/util');

const cache = new WeakMap();

/** The runtime's metadata v16 and a registry for its types (fetched once per API instance). */
async function metadataV16(api) {
  if (cache.has(api)) return cache.get(api);
  // The argument is SCALE (u32 little-endian); a codec's `toHex()` of a number is big-endian.
  const raw = await api.rpc.state.call('Metadata_metadata_at_version', u8aToHex(api.createType('u32', 16).toU8a()));
  // `raw` is the call's bytes (SCALE of `Option<OpaqueMetadata>`), without Bytes' own length.
  const opaque = api.createType('Option<OpaqueMetadata>', raw.toU8a(true));
  if (opaque.isNone) throw new Error('the runtime serves no metadata v16');
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, opaque.unwrap().toU8a(true));
  registry.setMetadata(metadata);
  const v16 = metadata.asV16;
  const found = { registry, v16 };
  cache.set(api, found);
  return found;
}

/** Names of the view functions of every pallet: { palletName: ['fnName', …] }. */
async function viewFunctionNames(api) {
  const { v16 } = await metadataV16(api);
  const names = {};
  for (const pallet of v16.pallets) {
    if (pallet.viewFunctions.length) names[pallet.name.toString()] = pallet.viewFunctions.map((f) => f.name.toString());
  }
  return names;
}

/**
 * Calls view function `name` of pallet `palletName` (e.g. 'DeviceRegistry', 'devices_of') with
 * `args` (plain JS values, one per input) and returns the decoded output (a codec of the v16
 * registry). Fails with the runtime's dispatch error if the call is refused.
 */
async function callView(api, palletName, name, args = [], at) {
  const { registry, v16 } = await metadataV16(api);
  const pallet = v16.pallets.find((p) => p.name.toString() === palletName);
  if (!pallet) throw new Error(`no pallet ${palletName}`);
  const fn = pallet.viewFunctions.find((f) => f.name.toString() === name || stringCamelCase(f.name.toString()) === name);
  if (!fn) throw new Error(`no view function ${palletName}.${name}`);
  if (fn.inputs.length !== args.length) throw new Error(`${palletName}.${name} takes ${fn.inputs.length} arguments`);
  const input = u8aConcat(...fn.inputs.map((param, i) => registry.createType(registry.createLookupType(param.type), args[i]).toU8a()));
  const callData = u8aConcat(fn.id.toU8a(), compactToU8a(input.length), input);
  // As hex: polkadot.js takes a Uint8Array given for `Bytes` as already length-prefixed.
  const call = ['RuntimeViewFunction_execute_view_function', u8aToHex(callData)];
  const raw = at ? await api.rpc.state.call(...call, at) : await api.rpc.state.call(...call);
  const bytes = raw.toU8a(true);
  // Result<Vec<u8>, ViewFunctionDispatchError>
  if (bytes[0] !== 0) throw new Error(`${palletName}.${name} refused: ${registry.createType('FrameSupportViewFunctionsViewFunctionDispatchError', bytes.subarray(1)).toString()}`);
  const output = registry.createType('Bytes', bytes.subarray(1));
  return registry.createType(registry.createLookupType(fn.output), output.toU8a(true));
}

module.exports = { metadataV16, viewFunctionNames, callView };
