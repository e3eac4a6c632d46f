// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Registry: per-owner records keyed by id, with ordered id lists and a global append-only log.
/// @notice Exercises the storage shapes prescient must name: nested mappings of structs, struct fields at offsets,
///   packed fields sharing a slot, strings (short in-slot and long out-of-slot), dynamic arrays (push, pop, index),
///   and mappings to arrays.
///   slot 0: admin (address, bytes 0..19) + recordCount (uint64, 20..27) + paused (bool, 28) + feeBps (uint16, 29..30)
///   slot 1: records   mapping(address => mapping(uint256 => Record))
///   slot 2: idsOf     mapping(address => uint256[])
///   slot 3: indexOf   mapping(address => mapping(uint256 => uint256))   (position + 1 in idsOf; 0 = absent)
///   slot 4: log       bytes32[]
///   slot 5: fees      uint256
///   Record: +0 owner (address) + createdAt (uint64) + version (uint32)  [exactly 32 bytes]
///           +1 active (bool) + expires (uint64) + kind (uint32)
///           +2 value (uint256)   +3 label (string)
contract Registry {
    struct Record {
        address owner;
        uint64 createdAt;
        uint32 version;
        bool active;
        uint64 expires;
        uint32 kind;
        uint256 value;
        string label;
    }

    address public admin;
    uint64 public recordCount;
    bool public paused;
    uint16 public feeBps;

    mapping(address => mapping(uint256 => Record)) public records;
    mapping(address => uint256[]) public idsOf;
    mapping(address => mapping(uint256 => uint256)) private indexOf;
    bytes32[] public log;
    uint256 public fees;

    event Registered(address indexed owner, uint256 indexed id, uint32 kind);
    event Updated(address indexed owner, uint256 indexed id, uint32 version);
    event Removed(address indexed owner, uint256 indexed id);

    error Paused();
    error NotAdmin();
    error Exists(address owner, uint256 id);
    error Missing(address owner, uint256 id);

    modifier whenNotPaused() {
        if (paused) revert Paused();
        _;
    }

    constructor(uint16 feeBps_) {
        admin = msg.sender;
        feeBps = feeBps_;
    }

    function register(uint256 id, uint32 kind, uint256 value, string calldata label, uint64 ttl)
        external
        payable
        whenNotPaused
    {
        Record storage r = records[msg.sender][id];
        if (r.owner != address(0)) revert Exists(msg.sender, id);
        r.owner = msg.sender;
        r.createdAt = uint64(block.timestamp);
        r.version = 1;
        r.active = true;
        r.expires = ttl == 0 ? 0 : uint64(block.timestamp) + ttl;
        r.kind = kind;
        r.value = value;
        r.label = label;
        idsOf[msg.sender].push(id);
        indexOf[msg.sender][id] = idsOf[msg.sender].length;
        recordCount += 1;
        fees += msg.value;
        log.push(keccak256(abi.encode(msg.sender, id, kind)));
        emit Registered(msg.sender, id, kind);
    }

    function update(uint256 id, uint256 value) external whenNotPaused {
        Record storage r = _own(msg.sender, id);
        r.value = value;
        r.version += 1;
        emit Updated(msg.sender, id, r.version);
    }

    function setLabel(uint256 id, string calldata label) external whenNotPaused {
        Record storage r = _own(msg.sender, id);
        r.label = label;
        r.version += 1;
        emit Updated(msg.sender, id, r.version);
    }

    function setActive(uint256 id, bool active) external {
        _own(msg.sender, id).active = active;
    }

    /// Removes a record: swap-and-pop in the owner's id list, then deletes the struct (all four slots, and the label).
    function remove(uint256 id) external {
        _own(msg.sender, id);
        uint256[] storage ids = idsOf[msg.sender];
        uint256 pos = indexOf[msg.sender][id] - 1;
        uint256 last = ids[ids.length - 1];
        if (last != id) {
            ids[pos] = last;
            indexOf[msg.sender][last] = pos + 1;
        }
        ids.pop();
        delete indexOf[msg.sender][id];
        delete records[msg.sender][id];
        recordCount -= 1;
        emit Removed(msg.sender, id);
    }

    /// Appends to the global log without touching records: the log length is a hot slot shared by every caller.
    function note(bytes32 entry) external whenNotPaused {
        log.push(entry);
    }

    function popLog() external {
        if (msg.sender != admin) revert NotAdmin();
        log.pop();
    }

    function get(address owner, uint256 id)
        external
        view
        returns (uint256 value, uint32 version, bool active, string memory label)
    {
        Record storage r = records[owner][id];
        return (r.value, r.version, r.active, r.label);
    }

    function countOf(address owner) external view returns (uint256) {
        return idsOf[owner].length;
    }

    function logLength() external view returns (uint256) {
        return log.length;
    }

    function isExpired(address owner, uint256 id) external view returns (bool) {
        Record storage r = records[owner][id];
        return r.expires != 0 && r.expires < block.timestamp;
    }

    function setPaused(bool paused_) external {
        if (msg.sender != admin) revert NotAdmin();
        paused = paused_;
    }

    function setFee(uint16 feeBps_) external {
        if (msg.sender != admin) revert NotAdmin();
        feeBps = feeBps_;
    }

    function _own(address owner, uint256 id) private view returns (Record storage r) {
        r = records[owner][id];
        if (r.owner != owner || owner == address(0)) revert Missing(owner, id);
    }
}
