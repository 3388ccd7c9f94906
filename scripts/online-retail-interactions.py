#!/usr/bin/env python3
"""UCI Online Retail (samples/online-retail.csv.gz) -> interactions CSV for `rapport recs`.

One row per purchase line of a known customer: user = CustomerID (without the trailing .0),
item = StockCode, timestamp = InvoiceDate (UK time, written as UTC), weight = 1. Cancellations
(InvoiceNo starting with C), returns (Quantity <= 0) and rows without a customer are left out.
Usage: scripts/online-retail-interactions.py samples/online-retail.csv.gz > online-retail-interactions.csv
"""
import csv
import gzip
import sys

with gzip.open(sys.argv[1], "rt", newline="", encoding="utf-8") as f:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["user", "item", "timestamp"])
    for row in csv.DictReader(f):
        customer = row["CustomerID"].strip()
        if not customer or row["InvoiceNo"].startswith("C") or float(row["Quantity"]) <= 0:
            continue
        out.writerow([customer.removesuffix(".0"), row["StockCode"].strip(), row["InvoiceDate"].strip()])
