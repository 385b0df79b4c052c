// Experience Space action of the example add-on: logs the item it was invoked on.
export default function acmeAction(context) {
  console.log("ACME action on", context && context.itemId);
}
