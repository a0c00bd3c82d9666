//! `/composite/graph`: independent graphs of sObject nodes, each committed or
//! rolled back as a whole. [`GraphBuilder::pack`] fills requests first-fit
//! within the limits (75 graphs, 500 nodes, 15 node kinds per request); a
//! request is repeatable only if every node upserts by external id or updates by Id.

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    MAX_GRAPH_DEPTH, MAX_GRAPHS_PER_REQUEST, MAX_NODE_KINDS, MAX_NODES_PER_REQUEST, SubResult, Subrequest,
    SubrequestKind, invalid_input,
};
use crate::salesforce::client::{Call, Client};
use crate::salesforce::error::Error;

/// A node kind: HTTP method and lower-cased object.
type Kind = (Method, String);

/// Nodes that succeed or fail together.
#[derive(Debug, Clone)]
pub struct Graph {
    id: String,
    nodes: Vec<Subrequest>,
    /// Reference id → length of the longest reference chain ending there.
    depths: HashMap<String, usize>,
}

impl Graph {
    /// `graph_id` starts with a letter or digit, is under 40 characters and has no `.`.
    pub fn new(graph_id: &str) -> Result<Self, Error> {
        let ok = graph_id.starts_with(|c: char| c.is_ascii_alphanumeric())
            && graph_id.chars().count() < 40
            && graph_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            return Err(invalid_input(format!(
                "graphId '{graph_id}' must be alphanumeric (with _ or -), under 40 chars"
            )));
        }
        Ok(Self { id: graph_id.to_owned(), nodes: Vec::new(), depths: HashMap::new() })
    }

    /// Appends a node (create, upsert, update, delete or read); it may refer
    /// only to earlier nodes of this graph, at most 15 deep.
    pub fn add(&mut self, node: Subrequest) -> Result<&mut Self, Error> {
        if node.operation == SubrequestKind::Query {
            return Err(invalid_input("a graph node cannot be a query"));
        }
        node.check(&self.depths)?;
        if self.nodes.len() >= MAX_NODES_PER_REQUEST {
            return Err(invalid_input(format!("a graph holds at most {MAX_NODES_PER_REQUEST} nodes")));
        }
        let depth = 1 + node.references().iter().filter_map(|r| self.depths.get(r)).max().copied().unwrap_or(0);
        if depth > MAX_GRAPH_DEPTH {
            let message =
                format!("node '{}' ends a reference chain {depth} deep (max {MAX_GRAPH_DEPTH})", node.reference_id);
            return Err(invalid_input(message));
        }
        self.depths.insert(node.reference_id.clone(), depth);
        self.nodes.push(node);
        Ok(self)
    }

    /// The graph's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Nodes so far.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Repeatable when every node is an upsert by external id or an update by Id
    /// (and none is marked [`Subrequest::once`]).
    pub fn is_idempotent(&self) -> bool {
        self.nodes
            .iter()
            .all(|n| matches!(n.operation, SubrequestKind::Upsert | SubrequestKind::Update) && n.is_idempotent())
    }

    fn kinds(&self) -> HashSet<Kind> {
        let object = |n: &Subrequest| n.names.first().map(|o| o.to_ascii_lowercase()).unwrap_or_default();
        self.nodes.iter().map(|n| (n.method(), object(n))).collect()
    }

    fn to_json(&self, version: &str) -> Value {
        let nodes: Vec<Value> = self.nodes.iter().map(|n| n.to_json(version)).collect();
        json!({ "graphId": self.id, "compositeRequest": nodes })
    }
}

/// Independent graphs to be sent in as few requests as possible.
#[derive(Debug, Clone, Default)]
pub struct GraphBuilder {
    graphs: Vec<Graph>,
    ids: HashSet<String>,
}

impl GraphBuilder {
    /// No graphs yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a non-empty graph whose id is new and that fits one request on its own.
    pub fn add(&mut self, graph: Graph) -> Result<&mut Self, Error> {
        if graph.is_empty() {
            return Err(invalid_input(format!("graph '{}' has no nodes", graph.id)));
        }
        if graph.kinds().len() > MAX_NODE_KINDS {
            return Err(invalid_input(format!("graph '{}' uses more than {MAX_NODE_KINDS} node kinds", graph.id)));
        }
        if !self.ids.insert(graph.id.clone()) {
            return Err(invalid_input(format!("graphId '{}' is used twice", graph.id)));
        }
        self.graphs.push(graph);
        Ok(self)
    }

    /// Graphs added.
    pub fn len(&self) -> usize {
        self.graphs.len()
    }

    /// Whether no graph was added.
    pub fn is_empty(&self) -> bool {
        self.graphs.is_empty()
    }

    /// Takes out the graphs of the last request [`Self::pack`] would make
    /// when that request would carry fewer than `min_nodes` nodes and is not
    /// the only one; returns their ids (none taken: empty). A caller with
    /// more work waiting sends them with it instead of spending a request on
    /// a sparse remainder.
    pub fn take_sparse_tail(&mut self, min_nodes: usize) -> Vec<String> {
        let requests = self.assign();
        let tail = match requests.as_slice() {
            [_, .., last] if last.nodes < min_nodes => &last.members,
            _ => return Vec::new(),
        };
        let taken: Vec<String> = tail.iter().map(|&index| self.graphs[index].id.clone()).collect();
        self.graphs.retain(|graph| !taken.contains(&graph.id));
        self.ids.retain(|id| !taken.contains(id));
        taken
    }

    /// Puts each graph, in order, into the first request it fits.
    pub fn pack(self) -> Vec<GraphRequest> {
        let assigned = self.assign();
        let mut graphs: Vec<Option<Graph>> = self.graphs.into_iter().map(Some).collect();
        assigned
            .into_iter()
            .map(|request| GraphRequest {
                graphs: request.members.iter().filter_map(|&index| graphs[index].take()).collect(),
                nodes: request.nodes,
            })
            .collect()
    }

    /// [`Self::pack`]'s first fit, by graph index: which graphs each request carries.
    fn assign(&self) -> Vec<Assigned> {
        let mut requests: Vec<Assigned> = Vec::new();
        for (index, graph) in self.graphs.iter().enumerate() {
            let kinds = graph.kinds();
            let fits = |r: &Assigned| {
                r.members.len() < MAX_GRAPHS_PER_REQUEST
                    && r.nodes + graph.len() <= MAX_NODES_PER_REQUEST
                    && r.kinds.union(&kinds).count() <= MAX_NODE_KINDS
            };
            let at = requests.iter().position(fits).unwrap_or_else(|| {
                requests.push(Assigned::default());
                requests.len() - 1
            });
            let request = &mut requests[at];
            request.members.push(index);
            request.nodes += graph.len();
            request.kinds.extend(kinds);
        }
        requests
    }
}

/// One request's share of the graphs, by index, while packing.
#[derive(Default)]
struct Assigned {
    members: Vec<usize>,
    nodes: usize,
    kinds: HashSet<Kind>,
}

/// One `/composite/graph` call's worth of graphs.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    graphs: Vec<Graph>,
    nodes: usize,
}

impl GraphRequest {
    /// The graphs it carries.
    pub fn graphs(&self) -> &[Graph] {
        &self.graphs
    }

    /// Nodes of all its graphs.
    pub fn node_count(&self) -> usize {
        self.nodes
    }

    /// Safe to repeat after a lost response.
    pub fn is_idempotent(&self) -> bool {
        self.graphs.iter().all(Graph::is_idempotent)
    }
}

/// The outcome of one graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphResult {
    pub graph_id: String,
    pub successful: bool,
    /// One result per node, in order (empty when `request_error` is set).
    pub nodes: Vec<SubResult>,
    /// Why the request carrying this graph failed as a whole, or was not sent;
    /// whether such a graph was committed is then unknown.
    pub request_error: Option<Error>,
}

impl GraphResult {
    fn failed(graph_id: &str, error: Error) -> Self {
        Self { graph_id: graph_id.to_owned(), successful: false, nodes: Vec::new(), request_error: Some(error) }
    }

    /// The node with `reference_id`.
    pub fn node(&self, reference_id: &str) -> Option<&SubResult> {
        self.nodes.iter().find(|n| n.reference_id == reference_id)
    }

    /// Why the graph failed: the failing node's errors, not the
    /// `PROCESSING_HALTED` of the nodes rolled back with it.
    pub fn errors(&self) -> Vec<Error> {
        if let Some(error) = &self.request_error {
            return vec![error.clone()];
        }
        let all: Vec<Error> = self.nodes.iter().filter_map(SubResult::error).collect();
        let causes: Vec<Error> = all.iter().filter(|e| e.code != "PROCESSING_HALTED").cloned().collect();
        if causes.is_empty() { all } else { causes }
    }
}

impl Client {
    /// Sends one graph request; results in the request's graph order.
    pub async fn graph(&self, request: &GraphRequest) -> Result<Vec<GraphResult>, Error> {
        let version = &self.settings().api_version;
        let graphs: Vec<Value> = request.graphs.iter().map(|g| g.to_json(version)).collect();
        let call = Call::write(Method::POST, "composite/graph", json!({ "graphs": graphs }), request.is_idempotent());
        let reply = self.send(&call).await?;
        let answers = reply.body.get("graphs").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut by_id: HashMap<String, GraphResult> = HashMap::with_capacity(answers.len());
        for answer in &answers {
            let graph_id = answer.get("graphId").and_then(Value::as_str).unwrap_or_default().to_owned();
            let nodes = SubResult::parse_all(answer.pointer("/graphResponse/compositeResponse"))?;
            let successful = answer.get("isSuccessful").and_then(Value::as_bool).unwrap_or(false);
            by_id.insert(graph_id.clone(), GraphResult { graph_id, successful, nodes, request_error: None });
        }
        let missing = |id: &str| {
            GraphResult::failed(id, Error::bad_response(reply.status, "the graph is missing from the answer"))
        };
        Ok(request.graphs.iter().map(|g| by_id.remove(&g.id).unwrap_or_else(|| missing(&g.id))).collect())
    }

    /// Packs the graphs and sends the requests in turn; results in the order
    /// the graphs were added. After a request fails as a whole, its graphs
    /// and those of the requests not yet sent carry that error.
    pub async fn run_graphs(&self, graphs: GraphBuilder) -> Vec<GraphResult> {
        let order: HashMap<String, usize> = graphs.graphs.iter().enumerate().map(|(i, g)| (g.id.clone(), i)).collect();
        let mut results = Vec::with_capacity(order.len());
        let mut stopped: Option<Error> = None;
        for request in graphs.pack() {
            let outcome = match &stopped {
                Some(error) => Err(error.clone()),
                None => self.graph(&request).await,
            };
            match outcome {
                Ok(done) => results.extend(done),
                Err(error) => {
                    results.extend(request.graphs.iter().map(|g| GraphResult::failed(&g.id, error.clone())));
                    stopped = Some(error);
                }
            }
        }
        results.sort_by_key(|r| order.get(&r.graph_id).copied().unwrap_or(usize::MAX));
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::composite::reference;

    #[test]
    fn packing_respects_node_kinds_and_depth() {
        let mut builder = GraphBuilder::new();
        for i in 0..16 {
            let mut graph = Graph::new(&format!("g{i}")).expect("id");
            graph.add(Subrequest::create("n", &format!("Obj{i}__c"), json!({}))).expect("node");
            builder.add(graph).expect("graph");
        }
        let sizes: Vec<usize> = builder.pack().iter().map(|r| r.graphs().len()).collect();
        assert_eq!(sizes, [15, 1], "16 objects make 16 node kinds");

        let mut chain = Graph::new("chain").expect("id");
        chain.add(Subrequest::create("n0", "Account", json!({}))).expect("root");
        for n in 1..15 {
            let node = Subrequest::update(&format!("n{n}"), "Account", &reference(&format!("n{}", n - 1)), json!({}));
            chain.add(node).expect("within depth");
        }
        let too_deep = Subrequest::update("n15", "Account", &reference("n14"), json!({}));
        assert!(chain.add(too_deep).is_err(), "a 16th level");
        assert!(!chain.is_idempotent(), "it starts with a create");
        assert!(Graph::new("has.dot").is_err() && Graph::new(&"x".repeat(40)).is_err());
    }

    fn graph_of(id: &str, nodes: usize) -> Graph {
        let mut graph = Graph::new(id).expect("id");
        for n in 0..nodes {
            graph
                .add(Subrequest::upsert(&format!("n{n}"), "Account", "Key__c", &format!("{id}-{n}"), json!({})))
                .expect("node");
        }
        graph
    }

    #[test]
    fn a_sparse_last_request_is_taken_out_and_a_full_or_only_one_is_not() {
        let builder = |sizes: &[usize]| {
            let mut builder = GraphBuilder::new();
            for (i, nodes) in sizes.iter().enumerate() {
                builder.add(graph_of(&format!("g{i}"), *nodes)).expect("graph");
            }
            builder
        };
        // 5 × 96 nodes fill a request (480); the 6th and 7th graphs make a second request of 120 nodes.
        let mut sparse = builder(&[96, 96, 96, 96, 96, 96, 24]);
        assert_eq!(sparse.take_sparse_tail(250), ["g5", "g6"]);
        let left: Vec<usize> = sparse.pack().iter().map(GraphRequest::node_count).collect();
        assert_eq!(left, [480]);

        let mut half_full = builder(&[96, 96, 96, 96, 96, 96, 96, 96]);
        assert!(half_full.take_sparse_tail(250).is_empty(), "the second request carries 288 nodes");
        let mut only = builder(&[24]);
        assert!(only.take_sparse_tail(250).is_empty(), "a lone request is sent however sparse");
        assert_eq!(only.len(), 1);
    }

    #[test]
    fn a_node_marked_once_makes_its_graph_unrepeatable() {
        let mut graph = Graph::new("g").expect("id");
        graph.add(Subrequest::upsert("n0", "Order", "Key__c", "k", json!({}))).expect("node");
        assert!(graph.is_idempotent(), "upserts by external id");
        graph
            .add(Subrequest::upsert("n1", "OrderItem", "Key__c", "k1", json!({ "OrderId": "@{n0.id}" })).once())
            .expect("node");
        assert!(!graph.is_idempotent(), "its create-only fields fail on a repeat");
    }
}
