//! Shipments that cannot be written (yet), end to end on SQLite and
//! PostgreSQL: before the order is placed, before a PAID_ONLY order is paid
//! (both WAITING with the reason, then written), and with create_order NEVER
//! (not applicable: synced with a note, never parked).

use forcesync::pb;

use crate::helpers::sync::{checkout, field, jane, order, payment};
use crate::sync_shipments::{ORDER, backends, shipment, shipment_settings, stepped};

#[tokio::test]
async fn a_shipment_before_its_order_waits_then_is_written_with_the_order() {
    for url in backends().await {
        let (settings, paths) = shipment_settings("Tracking_Number__c", "Shipped_At__c");
        let s = stepped(url, settings, paths).await;
        let mut sync = s.setup.sync();
        sync.record_shipment(shipment("sh1", "S1", 5, &[("1Z1", "UPS")], &[])).await.expect("shipment");
        s.settle().await;
        let status = s.status().await;
        assert_eq!(status.state, pb::SyncState::Waiting as i32, "{status:?}");
        assert!(status.waiting_reason.starts_with("waiting for the order to be placed"), "{status:?}");
        assert_eq!(status.notes, ["shipment S1 waiting for order 100000123 to be placed"]);
        assert!(s.setup.records("Order").await.is_empty());

        s.placed().await;
        let status = s.status().await;
        assert!(status.notes.is_empty() && status.waiting_reason.is_empty(), "{status:?}");
        let order = s.order().await;
        assert_eq!(field(&order, "Tracking_Number__c"), "1Z1");
        assert_eq!(field(&order, "Carrier__c"), "UPS");
        assert_eq!(field(&order, "Shipped_At__c"), "2025-03-05T00:00:00.000+0000", "a datetime field: midnight UTC");
        assert_eq!(field(&order, "Status"), "Shipped", "a shipment without lines ships the whole order");
    }
}

#[tokio::test]
async fn with_create_order_never_a_shipment_is_not_applicable_not_an_error() {
    for url in backends().await {
        let (mut settings, paths) = shipment_settings("Tracking_Number__c", "Ship_Date__c");
        settings.create_order = pb::CreateOrderMode::Never as i32;
        let s = stepped(url, settings, paths).await;
        s.placed().await;
        s.setup.sync().record_shipment(shipment("sh1", "S1", 5, &[("1Z1", "UPS")], &[])).await.expect("shipment");
        s.settle().await;
        let status = s.status().await;
        assert_eq!(status.state, pb::SyncState::Synced as i32, "not parked: {status:?}");
        assert!(status.last_error.is_none(), "{status:?}");
        assert_eq!(
            status.notes,
            [
                "shipment S1 not applicable: create_order is NEVER, so order 100000123 has no Salesforce Order to write it to"
            ]
        );
        assert!(s.setup.records("Order").await.is_empty());
        assert_eq!(status.event_count, 3);
    }
}

#[tokio::test]
async fn with_paid_only_a_shipment_of_an_unpaid_order_waits_for_the_payment() {
    for url in backends().await {
        let (mut settings, paths) = shipment_settings("Tracking_Number__c", "Ship_Date__c");
        settings.create_order = pb::CreateOrderMode::PaidOnly as i32;
        let s = stepped(url, settings, paths).await;
        let mut sync = s.setup.sync();
        sync.start_checkout(checkout("c1", "77", jane(), 1)).await.expect("checkout");
        sync.place_order(order("o1", ORDER, "77", jane(), 2)).await.expect("order");
        sync.record_shipment(shipment("sh1", "S1", 5, &[("1Z1", "UPS")], &[])).await.expect("shipment");
        s.settle().await;
        let status = s.status().await;
        assert_eq!(status.state, pb::SyncState::Waiting as i32, "{status:?}");
        assert!(status.waiting_reason.starts_with("waiting for the order to be paid"), "{status:?}");
        assert_eq!(s.setup.sale_records().await, [1, 1, 1, 1, 0, 0], "everything but the Order is written");

        sync.record_payment(payment("p1", ORDER, "2025-03-04", 3)).await.expect("payment");
        s.settle().await;
        let status = s.status().await;
        assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
        let order = s.order().await;
        assert_eq!((field(&order, "Tracking_Number__c"), field(&order, "Status")), ("1Z1", "Shipped"));
    }
}
