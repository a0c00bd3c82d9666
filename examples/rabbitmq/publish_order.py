"""Publishes one order's events to forcesync in RabbitMQ queue mode, as a
store plugin (e.g. a Magento 2 module in its RabbitMQ queue mode) would.

The message body is a forcesync.v1.SubmitEventsRequest (protobuf), the same
message the gRPC SubmitEvents call takes; the store token travels in the
`x-forcesync-store-token` header. forcesync acknowledges the message once the
events are committed; a message it cannot accept lands in the dead-letter
queue `<prefix>.events.dead` with `x-forcesync-reason` and `x-forcesync-detail`.

Setup (once, from the repository root):
    python3 -m venv .venv && .venv/bin/pip install -r examples/rabbitmq/requirements.txt
    .venv/bin/python -m grpc_tools.protoc -I proto --python_out=examples/rabbitmq proto/forcesync/v1/*.proto

Run (the store must be in queue mode QUEUE_MODE_RABBITMQ, forcesync started with --amqp-url):
    .venv/bin/python examples/rabbitmq/publish_order.py --token fs_... --order 100000123
"""

import argparse
import datetime
import sys

import pika

from forcesync.v1 import sync_pb2


def order_events(order_id: str, cart_id: str) -> sync_pb2.SubmitEventsRequest:
    """Checkout started, order placed, order paid: three events with ids of their own."""
    customer = sync_pb2.Customer(
        customer_id="42", email="jane@example.com", first_name="Jane", last_name="Doe", phone="+1 555 0100"
    )
    items = [
        sync_pb2.LineItem(sku="WB-01", name="Water bottle", quantity=2, unit_price="19.99"),
        sync_pb2.LineItem(sku="CAP-7", name="Cap", quantity=1, unit_price="12.50"),
        sync_pb2.LineItem(sku="TEE-3", name="T-shirt", quantity=3, unit_price="9.00"),
    ]
    today = datetime.date.today().isoformat()
    return sync_pb2.SubmitEventsRequest(
        events=[
            sync_pb2.SyncEvent(
                checkout=sync_pb2.StartCheckoutRequest(
                    event_id=f"cart-{cart_id}-checkout", cart_id=cart_id, customer=customer, items=items, total="79.48"
                )
            ),
            sync_pb2.SyncEvent(
                order=sync_pb2.PlaceOrderRequest(
                    event_id=f"order-{order_id}-placed",
                    order_id=order_id,
                    cart_id=cart_id,
                    customer=customer,
                    items=items,
                    total="79.48",
                    status="pending",
                )
            ),
            sync_pb2.SyncEvent(
                payment=sync_pb2.RecordPaymentRequest(
                    event_id=f"order-{order_id}-invoice-1",
                    order_id=order_id,
                    invoice_id=f"inv-{order_id}",
                    invoice_date=today,
                    amount="79.48",
                )
            ),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/%2f", help="the broker")
    parser.add_argument("--prefix", default="forcesync", help="forcesync's --amqp-prefix")
    parser.add_argument("--store", default="main", help="store code (routing key store.<code>; informational)")
    parser.add_argument("--token", required=True, help="the store token, fs_…")
    parser.add_argument("--order", default="100000123", help="order number")
    parser.add_argument("--cart", default="77", help="cart id")
    args = parser.parse_args()

    body = order_events(args.order, args.cart).SerializeToString()
    connection = pika.BlockingConnection(pika.URLParameters(args.url))
    channel = connection.channel()
    channel.confirm_delivery()  # basic_publish raises if the broker does not take the message
    channel.basic_publish(
        exchange=f"{args.prefix}.events",
        routing_key=f"store.{args.store}",
        body=body,
        properties=pika.BasicProperties(
            content_type="application/x-protobuf",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=f"order-{args.order}",
            headers={"x-forcesync-store-token": args.token},
        ),
        mandatory=True,
    )
    connection.close()
    print(f"published order {args.order} (3 events, {len(body)} bytes) to {args.prefix}.events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
